// The benchmark runner: runs the selected benchmarks in sequence on one private Redis
// and three child processes, then writes RESULTS.md and the SVG charts.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { BenchContext, type BenchResult, type BenchSize } from './bench-context.js';
import { runCost } from './cost.js';
import { runEndToEnd } from './end-to-end.js';
import { runLatencyLab } from './latency-lab.js';
import { runPartBenchmarks } from './part-benchmarks.js';
import { runQueuedHeartbeats } from './bridge/queued-heartbeats.js';
import { runProfile } from './profile/profile-bench.js';
import { runClusterThroughputBench } from './scaling/cluster-throughput.js';

export const BENCHMARKS = {
  lab: runLatencyLab,
  e2e: runEndToEnd,
  profile: (ctx: BenchContext) => runProfile(ctx),
  cost: runCost,
  parts: runPartBenchmarks,
  heartbeats: runQueuedHeartbeats,
  cluster: runClusterThroughputBench,
} as const satisfies Record<string, (ctx: BenchContext) => Promise<BenchResult>>;

export type BenchmarkName = keyof typeof BENCHMARKS;

export interface RunBenchOptions {
  size?: BenchSize;
  /** Run only these (default: all, in the order of BENCHMARKS). */
  only?: BenchmarkName[];
  /** Where RESULTS.md and the charts go. */
  outDir: string;
  /** Progress lines. @default console.error */
  log?: (line: string) => void;
}

export interface RunBenchResult {
  results: BenchResult[];
  markdown: string;
  files: string[];
}

export function isBenchmarkName(name: string): name is BenchmarkName {
  return Object.hasOwn(BENCHMARKS, name);
}

export async function runBench(options: RunBenchOptions): Promise<RunBenchResult> {
  const size = options.size ?? 'default';
  const log = options.log ?? ((line: string) => console.error(line));
  const names = options.only ?? (Object.keys(BENCHMARKS) as BenchmarkName[]);
  const started = Date.now();
  const loadAtStart = loadavg()[0] ?? 0;
  log(`bench: ${names.join(', ')} at ${size} size`);
  const ctx = await BenchContext.start(size, (line) =>
    log(`[${Math.round((Date.now() - started) / 1000)} s] ${line}`),
  );
  const results: BenchResult[] = [];
  try {
    for (const name of names) results.push(await BENCHMARKS[name](ctx));
  } finally {
    await ctx.close();
  }
  const elapsedS = Math.round((Date.now() - started) / 1000);
  const load = { start: loadAtStart, end: loadavg()[0] ?? 0 };
  const markdown = renderResults(results, size, names, elapsedS, load);
  await mkdir(options.outDir, { recursive: true });
  const files = [join(options.outDir, 'RESULTS.md')];
  await writeFile(files[0]!, markdown);
  for (const result of results) {
    for (const [file, svg] of Object.entries(result.charts)) {
      const path = join(options.outDir, file);
      await writeFile(path, svg);
      files.push(path);
    }
  }
  log(`bench: done in ${elapsedS} s; wrote ${files.join(', ')}`);
  return { results, markdown, files };
}

function renderResults(
  results: BenchResult[],
  size: BenchSize,
  names: string[],
  elapsedS: number,
  load: { start: number; end: number },
): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const command =
    size === 'default' && names.length === Object.keys(BENCHMARKS).length
      ? 'pnpm bench'
      : `pnpm --filter @sfn-bullmq/bench run bench --size ${size}${names.length < Object.keys(BENCHMARKS).length ? names.map((n) => ` --only ${n}`).join('') : ''}`;
  return [
    '# sfn-bullmq benchmarks',
    '',
    `Produced by \`${command}\` in ${elapsedS} s on ${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, against the bundled Step Functions emulator and a private \`redis-server\`. Load average (1 min): ${load.start.toFixed(1)} at the start, ${load.end.toFixed(1)} at the end; the machine is shared, and a load above 2 means other work competed for the 2 cores. Every comparison below ran both sides in this same run; absolute figures drift on a shared machine, so read the ratios.`,
    '',
    ...results.flatMap((r) => [`## ${r.title}`, '', r.markdown, '']),
  ].join('\n');
}
