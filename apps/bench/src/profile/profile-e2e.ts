// Profiles sfn-bullmq's bridge and worker processes under the end-to-end benchmark's load (V8's
// sampling profiler, started and stopped over IPC around the measured phase) and prints where the
// microseconds of one task go, per process. Writes the .cpuprofile files for a closer look.
//
//   pnpm --filter @sfn-bullmq/bench run build
//   pnpm --filter @sfn-bullmq/bench exec node dist/profile/profile-e2e.js [--phase burst|steady] [--concurrency 50] [--out /tmp/prof]
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { uniqueName } from '@sfn-bullmq/test-support';
import { BenchContext, sleep } from '../bench-context.js';
import type { BenchProcess, ProcessUsage } from '../bench-process.js';
import { markdownTable } from '../markdown-table.js';
import { readProfile, summariseProfile, type ProfileSummary } from './cpuprofile-summary.js';

const POLL_TIMEOUT_MS = 5_000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      phase: { type: 'string', default: 'burst' },
      concurrency: { type: 'string', default: '50' },
      tasks: { type: 'string' },
      out: { type: 'string', default: '/tmp/sfn-bullmq-profile' },
      top: { type: 'string', default: '25' },
    },
  });
  const burst = values.phase === 'burst';
  const concurrency = Number(values.concurrency);
  const count = Number(values.tasks ?? (burst ? 10_000 : 3_000));
  const rate = burst ? null : 500;
  await mkdir(values.out, { recursive: true });
  const ctx = await BenchContext.start('default', (line) => console.error(line));
  try {
    const name = uniqueName('prof');
    const { endpoint, arns } = await ctx.emulatorProcess.call<{ endpoint: string; arns: string[] }>(
      'emulator.start',
      { pollTimeoutMs: POLL_TIMEOUT_MS, activities: [name] },
    );
    const arn = arns[0]!;
    const redisPort = ctx.redis.port;
    await ctx.workerProcess.call('worker.start', { queueName: name, redisPort, endpoint, concurrency });
    await ctx.bridgeProcess.call('bridge.start', {
      endpoint,
      redisPort,
      activities: [{ arn, polls: concurrency }],
    });
    await ctx.emulatorProcess.call('emulator.waitOpenPolls', { arn, polls: concurrency, timeoutMs: 10_000 });
    await sleep(200);
    // Warm-up, unprofiled: JIT, sockets and connections settle first.
    let done = await drive(ctx, arn, 1_000, 1_000, 0);
    await ctx.workerProcess.call('pickup.take');
    const procs: [string, BenchProcess][] = [
      ['bridge', ctx.bridgeProcess],
      ['worker', ctx.workerProcess],
    ];
    await Promise.all(procs.map(([, p]) => p.call('profile.start', { intervalUs: 100 })));
    const before = await Promise.all(procs.map(([, p]) => p.usage()));
    const startedDone = done;
    done = await drive(ctx, arn, count, rate, done);
    const after = await Promise.all(procs.map(([, p]) => p.usage()));
    const tasks = done - startedDone;
    const paths = await Promise.all(
      procs.map(async ([role, p]) => {
        const path = join(values.out, `${role}-${values.phase}-c${concurrency}.cpuprofile`);
        await p.call('profile.stop', { path });
        return path;
      }),
    );
    const pickup = await ctx.workerProcess.call<{ p50: number; p99: number }>('pickup.take');
    console.log(
      `\n${tasks} tasks, ${values.phase}${rate === null ? '' : ` at ${rate}/s`}, concurrency ${concurrency}; pickup p50 ${pickup.p50.toFixed(2)} ms, p99 ${pickup.p99.toFixed(2)} ms (under the profiler)\n`,
    );
    for (let i = 0; i < procs.length; i += 1) {
      const summary = summariseProfile(await readProfile(paths[i]!));
      print(procs[i]![0], summary, tasks, cpuUs(before[i]!, after[i]!), Number(values.top));
      console.log(`profile: ${paths[i]!}\n`);
    }
  } finally {
    await ctx.resetAll();
    await ctx.close();
  }
}

function cpuUs(before: ProcessUsage, after: ProcessUsage): number {
  return after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system;
}

function print(role: string, s: ProfileSummary, tasks: number, processCpuUs: number, top: number): void {
  // On a loaded machine a sample also stands for time the thread waited for a core, so sampled time
  // overstates CPU; the shares hold, and each is scaled to the process's measured CPU per task.
  const perTask = (us: number): string => ((us / s.busyUs) * (processCpuUs / tasks)).toFixed(1);
  const pct = (us: number): string => `${((us / s.busyUs) * 100).toFixed(1)} %`;
  console.log(
    `### ${role}: ${(processCpuUs / tasks).toFixed(1)} µs CPU per task (process.cpuUsage, profiler on; all threads); shares from ${(s.busyUs / 1000) | 0} ms of main-thread samples\n`,
  );
  console.log(
    markdownTable(
      ['where (charged to the nearest library or own frame)', 'µs CPU per task (share × measured)', 'share'],
      s.buckets.filter((b) => b.us / s.busyUs >= 0.005).map((b) => [b.bucket, perTask(b.us), pct(b.us)]),
    ),
  );
  console.log('');
  console.log(
    markdownTable(
      ['function (self time)', 'where', 'µs per task', 'share'],
      s.functions.slice(0, top).map((f) => [f.name, f.where, perTask(f.us), pct(f.us)]),
    ),
  );
  console.log('');
}

/** Schedules `count` tasks (all at once when `rate` is null) and waits until `already + count` are closed. */
async function drive(
  ctx: BenchContext,
  arn: string,
  count: number,
  rate: number | null,
  already: number,
): Promise<number> {
  await ctx.emulatorProcess.call('emulator.schedule', { arn, count, ratePerSecond: rate });
  const { closed } = await ctx.emulatorProcess.call<{ closed: number }>('emulator.waitClosed', {
    arn,
    count: already + count,
    timeoutMs: 60_000,
  });
  return closed;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
