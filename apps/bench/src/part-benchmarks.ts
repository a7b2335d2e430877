// The parts' own benchmarks (apps/bench/src/{emulator,bridge,worker,scaling}), written by
// their owners: each script runs as a child process, and what it prints goes into the results.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BenchContext, BenchResult } from './bench-context.js';

interface PartBenchmark {
  name: string;
  /** Path relative to src/, without extension. */
  script: string;
}

const PART_BENCHMARKS: PartBenchmark[] = [
  { name: 'Emulator throughput', script: 'emulator/throughput' },
  { name: 'Emulator Map fan-out (10,000 items)', script: 'emulator/map-fan-out' },
  { name: 'Bridge enqueue rate and idle cost', script: 'bridge/enqueue' },
  { name: 'Worker overhead against a bare BullMQ worker', script: 'worker/overhead' },
  { name: 'Worker metrics and tracing cost', script: 'worker/observability-cost' },
  { name: 'Horizontal scaling', script: 'scaling/scaling' },
  { name: 'Fleet: rebalancing a shared poll budget, and its Redis cost', script: 'scaling/fleet' },
];

// The part scripts fork their own `.ts` helpers, so they always run from src/ under tsx.
const SRC_DIR = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '.' : '../src/', import.meta.url));
const PART_TIMEOUT_MS = 150_000;

export async function runPartBenchmarks(ctx: BenchContext): Promise<BenchResult> {
  const sections: string[] = [
    'Each part owner wrote a benchmark of their own part; the runner runs the script as a child process and includes what it printed. Their figures come from their own methods (stated in each table).',
  ];
  for (const part of PART_BENCHMARKS) {
    const file = `${SRC_DIR}${part.script}.ts`;
    if (ctx.size === 'tiny') {
      // Their own runs take minutes, so the smoke test runs none; it checks the runner finds them.
      if (!existsSync(file)) throw new Error(`part benchmark ${part.name}: ${file} is missing`);
      sections.push('', `### ${part.name}`, '', '_Skipped at tiny size._');
      continue;
    }
    ctx.log(`part benchmark: ${part.name} (src/${part.script})`);
    const started = Date.now();
    let body: string;
    try {
      body = await runScript(file);
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

function runScript(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1',
        // The v3 SDK's notice that releases after January 2027 need Node 22; the versions are pinned (docs/aws-sdk.md#pinned-sdk-version).
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
