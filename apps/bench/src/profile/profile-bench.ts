// The `profile` benchmark: sfn-bullmq's bridge and worker under the end-to-end burst with V8's sampling
// profiler on (started and stopped over IPC around the measured phase only), summed into where the
// microseconds of one task go, per process. Also runs alone (profile-e2e-main.ts) and keeps the .cpuprofile files.
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uniqueName } from '@sfn-bullmq/test-support';
import { sleep, type BenchContext, type BenchResult } from '../bench-context.js';
import type { BenchProcess, ProcessUsage } from '../bench-process.js';
import { markdownTable } from '../markdown-table.js';
import { readProfile, summariseProfile, type ProfileSummary } from './cpuprofile-summary.js';

const POLL_TIMEOUT_MS = 5_000;

/** What sets the floor, from the design rather than from one run's figures. */
const READING = [
  "**Reading: what a task costs beyond bare BullMQ, and why.** Bare BullMQ does two Redis round trips per task (the producer's add; the worker's move-to-finished, which also fetches the next job). sfn-bullmq does the same two plus, by design: in the bridge, one HTTP answer read (the poll that brought the token) and one new poll (signed, written); in the worker, one more Redis round trip (the outcome, stored on the job before it is sent, so a crash re-sends instead of re-running) and one SendTaskSuccess (signed, written, its answer read). So our floor is two HTTP exchanges, two signatures and one Redis round trip more than bare BullMQ, each a syscall or two each way on both sides: in the tables above, undici's request path plus `writev` (the HTTP client), ioredis's writes (`writeBuffer`, `writeUtf8String`: one socket write per command) and GC dominate, and our own code (bridge/*, worker/*, protocol/*) is a few per cent. On a 2-core machine shared by four busy processes (emulator, bridge, worker, Redis), every socket write also wakes another process for a core, which is the share that grows with the load average.",
  '',
].join('\n');

export interface ProfileRunOptions {
  concurrency?: number;
  /** Tasks in the profiled burst. @default 10,000 (300 at tiny size) */
  tasks?: number;
  /** Where the .cpuprofile files go. @default a folder in the OS temp dir */
  outDir?: string;
  /** Functions listed per process. @default 12 */
  top?: number;
}

export async function runProfile(ctx: BenchContext, options: ProfileRunOptions = {}): Promise<BenchResult> {
  const concurrency = options.concurrency ?? 50;
  const count = options.tasks ?? (ctx.size === 'tiny' ? 300 : 10_000);
  const outDir = options.outDir ?? join(tmpdir(), 'sfn-bullmq-profile');
  const top = options.top ?? 12;
  await mkdir(outDir, { recursive: true });
  ctx.log(`profile: sfn-bullmq, concurrency ${concurrency}, ${count} tasks at once, profiler on`);
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
    const warmUp = Math.min(1_000, count);
    let done = await drive(ctx, arn, warmUp, 0);
    const procs: [string, BenchProcess][] = [
      ['bridge', ctx.bridgeProcess],
      ['worker', ctx.workerProcess],
    ];
    await Promise.all(procs.map(([, p]) => p.call('profile.start', { intervalUs: 100 })));
    const before = await Promise.all(procs.map(([, p]) => p.usage()));
    const startedDone = done;
    done = await drive(ctx, arn, count, done);
    const after = await Promise.all(procs.map(([, p]) => p.usage()));
    const tasks = done - startedDone;
    const sections: string[] = [];
    const perProcess: { role: string; cpuUsPerTask: number; summary: ProfileSummary }[] = [];
    for (let i = 0; i < procs.length; i += 1) {
      const [role, proc] = procs[i]!;
      const path = join(outDir, `${role}-burst-c${concurrency}.cpuprofile`);
      await proc.call('profile.stop', { path });
      const summary = summariseProfile(await readProfile(path));
      const cpuUsPerTask = cpuUs(before[i]!, after[i]!) / tasks;
      perProcess.push({ role, cpuUsPerTask, summary });
      sections.push(render(role, summary, cpuUsPerTask, top, path));
    }
    const total = perProcess.reduce((sum, p) => sum + p.cpuUsPerTask, 0);
    const markdown = [
      `**How measured.** sfn-bullmq alone in the end-to-end set-up (bridge with ${concurrency} polls, worker with concurrency ${concurrency}, emulator, Redis, each in its own process), ${warmUp} tasks unprofiled to warm up, then ${tasks.toLocaleString('en-US')} tasks scheduled at once with V8's sampling profiler (100 µs) started and stopped over IPC in the bridge and the worker processes, around that burst only. Each sample's frame is charged to the nearest frame of a library or of ours above it (so node's socket, stream and timer internals count for whoever called them; "no JS caller" is what ran straight from the event loop). On a loaded machine a sample also covers time the thread waited for a core, so the shares are scaled to each process's measured CPU (\`process.cpuUsage()\` over the burst ÷ tasks, all threads). The profiler itself costs a few per cent.`,
      '',
      `Bridge + worker: **${Math.round(total)} µs of CPU per task** under the profiler (bridge ${Math.round(perProcess[0]!.cpuUsPerTask)}, worker ${Math.round(perProcess[1]!.cpuUsPerTask)}).`,
      '',
      ...sections,
      READING,
    ].join('\n');
    return { title: 'Profile: where one task’s CPU goes', markdown, charts: {} };
  } finally {
    await ctx.resetAll();
  }
}

function cpuUs(before: ProcessUsage, after: ProcessUsage): number {
  return after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system;
}

function render(role: string, s: ProfileSummary, cpuUsPerTask: number, top: number, path: string): string {
  const perTask = (us: number): string => ((us / s.busyUs) * cpuUsPerTask).toFixed(1);
  const pct = (us: number): string => `${((us / s.busyUs) * 100).toFixed(1)} %`;
  const shown = s.buckets.filter((b) => b.us / s.busyUs >= 0.01);
  const rest = s.buckets.filter((b) => b.us / s.busyUs < 0.01).reduce((sum, b) => sum + b.us, 0);
  return [
    `### ${role}: ${cpuUsPerTask.toFixed(0)} µs CPU per task`,
    '',
    markdownTable(
      ['where (charged to the nearest library or own frame)', 'µs per task', 'share'],
      [
        ...shown.map((b) => [b.bucket, perTask(b.us), pct(b.us)]),
        ['everything under 1 % each', perTask(rest), pct(rest)],
      ],
    ),
    '',
    markdownTable(
      ['function (self time)', 'where', 'µs per task', 'share'],
      s.functions.slice(0, top).map((f) => [f.name, f.where, perTask(f.us), pct(f.us)]),
    ),
    '',
    `Profile: \`${path}\` (open in Chrome DevTools or speedscope).`,
    '',
  ].join('\n');
}

/** Schedules `count` tasks at once and waits until `already + count` are closed. */
async function drive(ctx: BenchContext, arn: string, count: number, already: number): Promise<number> {
  await ctx.emulatorProcess.call('emulator.schedule', { arn, count, ratePerSecond: null });
  const { closed } = await ctx.emulatorProcess.call<{ closed: number }>('emulator.waitClosed', {
    arn,
    count: already + count,
    timeoutMs: 120_000,
  });
  return closed;
}
