// The parts' own benchmarks (apps/bench/src/{emulator,bridge,worker,scaling}), written by
// their owners: called through an exported function when there is one, else run as a child.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchContext, BenchResult, BenchSize } from './bench-context.js';

export interface PartBenchmark {
  name: string;
  /** Path relative to src/, without extension. */
  script: string;
  /** An exported function the runner may call instead of spawning the script. */
  exportName?: string;
}

export const PART_BENCHMARKS: PartBenchmark[] = [
  { name: 'Emulator throughput', script: 'emulator/throughput' },
  { name: 'Bridge enqueue rate and idle cost', script: 'bridge/enqueue' },
  { name: 'Worker overhead against a bare BullMQ worker', script: 'worker/overhead' },
  { name: 'Horizontal scaling', script: 'scaling/scaling', exportName: 'runScalingBench' },
];

// The part scripts fork their own `.ts` helpers, so they always run from src/ under tsx.
const SRC_DIR = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '.' : '../src/', import.meta.url));
const EXT = '.ts';
const PART_TIMEOUT_MS = 150_000;

/** The part scripts present in this checkout. */
export function availableParts(): (PartBenchmark & { file: string })[] {
  return PART_BENCHMARKS.map((part) => ({ ...part, file: `${SRC_DIR}${part.script}${EXT}` })).filter((part) =>
    existsSync(part.file),
  );
}

export async function runPartBenchmarks(ctx: BenchContext): Promise<BenchResult> {
  const parts = availableParts();
  const missing = PART_BENCHMARKS.filter((p) => !parts.some((q) => q.script === p.script)).map(
    (p) => `\`src/${p.script}.ts\``,
  );
  const sections: string[] = [
    'Each part owner wrote a benchmark of their own part; the runner calls its exported function when it has one, else runs the script as a child process and includes what it printed. Their figures come from their own methods (stated in each table).',
  ];
  if (missing.length > 0)
    sections.push('', `Not present in this checkout, so not run: ${missing.join(', ')}.`);
  for (const part of parts) {
    if (ctx.size === 'tiny') {
      // The smoke test only proves the runner finds the parts; their own runs take minutes.
      sections.push('', `### ${part.name}`, '', '_Skipped at tiny size._');
      continue;
    }
    ctx.log(`part benchmark: ${part.name} (src/${part.script})`);
    const started = Date.now();
    let body: string;
    try {
      body = (await callExport(part, ctx.size)) ?? (await runScript(part.file));
    } catch (error) {
      body = `_Failed: ${error instanceof Error ? error.message : String(error)}_`;
    }
    sections.push(
      '',
      `### ${part.name}`,
      '',
      `Source: \`apps/bench/src/${part.script}.ts\` (${Math.round((Date.now() - started) / 1000)} s).`,
      '',
      body.trim(),
    );
  }
  return { title: 'Part benchmarks', markdown: sections.join('\n'), charts: {} };
}

async function callExport(
  part: PartBenchmark & { file: string },
  size: BenchSize,
): Promise<string | undefined> {
  // From dist, importing a .ts part would need tsx in this process; run it as a child instead.
  if (part.exportName === undefined || !import.meta.url.endsWith('.ts')) return undefined;
  const module = (await import(pathToFileURL(part.file).href)) as Record<string, unknown>;
  const run = module[part.exportName];
  if (typeof run !== 'function') return undefined;
  const result = (await (run as (options: { size: BenchSize }) => Promise<unknown>)({ size })) as
    { markdown?: unknown } | undefined;
  return typeof result?.markdown === 'string' ? result.markdown : JSON.stringify(result, null, 2);
}

function runScript(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1',
        // The v3 SDK's notice that releases after January 2027 need Node 22; the versions are pinned (FACTS §4).
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), PART_TIMEOUT_MS);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else
        reject(
          new Error(
            `exited with ${signal ?? code}${signal === 'SIGKILL' ? ` (over ${PART_TIMEOUT_MS / 1000} s)` : ''}: ${err.trim().split('\n').slice(-5).join(' / ')}`,
          ),
        );
    });
  });
}
