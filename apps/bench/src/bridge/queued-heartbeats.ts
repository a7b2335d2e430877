// Queued heartbeats at 10,000 waiting tasks: heartbeats per second, the bridge's CPU and event-loop delay
// while they wait, Redis time per round over all of them, and the same while a sweep removes them all
// (their TimeoutSeconds runs out while they wait). The bridge runs in this process, which does nothing
// else during the windows; the emulator is in its child. The baseline is a bridge with queued heartbeats
// off holding the same backlog.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Bridge } from '@sfn-bullmq/bridge';
import { uniqueName } from '@sfn-bullmq/test-support';
import { Queue } from 'bullmq';
import { pino } from 'pino';
import { sleep, type BenchContext, type BenchResult } from '../bench-context.js';
import { markdownTable } from '../markdown-table.js';

export interface QueuedHeartbeatFigures {
  waiting: number;
  intervalMs: number;
  perSecondBudget: number;
  heartbeatsPerSecond: number;
  cpuPercent: { baseline: number; heartbeating: number; sweeping: number };
  eventLoopP99Ms: { baseline: number; heartbeating: number; sweeping: number };
  eventLoopMaxMs: { heartbeating: number; sweeping: number };
  redisMsPerRound: number;
  sweep: { swept: number; seconds: number; redisMs: number };
}

interface Window {
  cpu: NodeJS.CpuUsage;
  at: number;
  redisUsec: number;
  histogram: IntervalHistogram;
}

async function redisUsec(ctx: BenchContext): Promise<number> {
  const info = await ctx.redisClient.info('commandstats');
  let total = 0;
  for (const match of info.matchAll(/usec=(\d+)/g)) total += Number(match[1]);
  return total;
}

async function open(ctx: BenchContext): Promise<Window> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  return { cpu: process.cpuUsage(), at: performance.now(), redisUsec: await redisUsec(ctx), histogram };
}

async function close(ctx: BenchContext, window: Window) {
  window.histogram.disable();
  const cpu = process.cpuUsage(window.cpu);
  const seconds = (performance.now() - window.at) / 1000;
  return {
    seconds,
    cpuPercent: ((cpu.user + cpu.system) / 1e6 / seconds) * 100,
    p99Ms: window.histogram.percentile(99) / 1e6,
    maxMs: window.histogram.max / 1e6,
    redisMs: ((await redisUsec(ctx)) - window.redisUsec) / 1000,
  };
}

async function metric(bridge: Bridge, name: string): Promise<number> {
  const values = (await bridge.registry.getSingleMetric(name)?.get())?.values ?? [];
  return values.reduce((sum, v) => sum + v.value, 0);
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`queued heartbeats bench: timed out waiting for ${what}`);
    await sleep(100);
  }
}

export async function runQueuedHeartbeats(
  ctx: BenchContext,
): Promise<BenchResult & { figures: QueuedHeartbeatFigures }> {
  const tiny = ctx.size === 'tiny';
  const waiting = tiny ? 500 : 10_000;
  const intervalMs = tiny ? 4_000 : 20_000;
  const perSecondBudget = 1_000;
  // Long enough for the store and a full round of heartbeats; then every task times out while it waits.
  const timeoutSeconds = tiny ? 16 : 75;
  const name = uniqueName('queuedhb');
  const prefix = uniqueName('bench');
  ctx.log(
    `queued heartbeats: ${waiting} waiting tasks, interval ${intervalMs} ms, budget ${perSecondBudget}/s`,
  );
  const { endpoint, arns } = await ctx.emulatorProcess.call<{ endpoint: string; arns: string[] }>(
    'emulator.start',
    { pollTimeoutMs: 5_000, activities: [name] },
  );
  const activityArn = arns[0]!;
  // Each bridge its own queue, so the baseline's jobs never meet the measured one.
  const newBridge = (queuedHeartbeatIntervalMs: number, queueName: string): Bridge =>
    new Bridge({
      connection: { host: '127.0.0.1', port: ctx.redis.port },
      prefix,
      sfn: { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } },
      workerName: 'bench-queued-heartbeats',
      logger: pino({ level: 'silent' }),
      activities: [
        { activityArn, queueName, polls: 200, maxWaiting: waiting + 1_000, queuedHeartbeatIntervalMs },
      ],
      queuedHeartbeatsPerSecond: perSecondBudget,
    });
  const connection = { host: '127.0.0.1', port: ctx.redis.port };
  const baselineQueue = new Queue(`${name}-off`, { connection, prefix });
  const queue = new Queue(name, { connection, prefix });
  const store = async (target: Queue, clocks: { timeoutSeconds?: number }): Promise<void> => {
    const scheduledAt = Date.now();
    await ctx.emulatorProcess.call('emulator.schedule', {
      arn: activityArn,
      count: waiting,
      ratePerSecond: null,
      clocks,
    });
    await waitFor('every task stored', async () => (await target.getWaitingCount()) >= waiting, 120_000);
    ctx.log(`queued heartbeats: ${waiting} stored in ${((Date.now() - scheduledAt) / 1000).toFixed(1)} s`);
  };
  let bridge = newBridge(0, `${name}-off`);
  try {
    // Baseline: a bridge with queued heartbeats off holding the same backlog (its jobs are dropped after).
    await bridge.start();
    await store(baselineQueue, {});
    const baselineWindow = await open(ctx);
    await sleep(tiny ? 2_000 : 10_000);
    const baseline = await close(ctx, baselineWindow);
    // Gracefully: a dead bridge's polls would still be handed tokens until their deadline.
    await bridge.close();

    bridge = newBridge(intervalMs, name);
    await bridge.start();
    await store(queue, { timeoutSeconds });

    await waitFor(
      'the first heartbeats',
      async () => (await metric(bridge, 'sfn_bullmq_bridge_queued_heartbeats_total')) > 0,
      30_000,
    );
    const sentBefore = await metric(bridge, 'sfn_bullmq_bridge_queued_heartbeats_total');
    const beatingWindow = await open(ctx);
    await sleep(intervalMs);
    const beating = await close(ctx, beatingWindow);
    const sent = (await metric(bridge, 'sfn_bullmq_bridge_queued_heartbeats_total')) - sentBefore;

    // The sweep: every task's TimeoutSeconds runs out while it waits; each next heartbeat finds it closed.
    await waitFor(
      'the first swept job',
      async () => (await metric(bridge, 'sfn_bullmq_bridge_queued_tasks_swept_total')) > 0,
      120_000,
    );
    const sweepWindow = await open(ctx);
    await waitFor('every job swept', async () => (await queue.getWaitingCount()) === 0, 120_000);
    const sweeping = await close(ctx, sweepWindow);
    const swept = await metric(bridge, 'sfn_bullmq_bridge_queued_tasks_swept_total');

    const figures: QueuedHeartbeatFigures = {
      waiting,
      intervalMs,
      perSecondBudget,
      heartbeatsPerSecond: sent / beating.seconds,
      cpuPercent: {
        baseline: baseline.cpuPercent,
        heartbeating: beating.cpuPercent,
        sweeping: sweeping.cpuPercent,
      },
      eventLoopP99Ms: { baseline: baseline.p99Ms, heartbeating: beating.p99Ms, sweeping: sweeping.p99Ms },
      eventLoopMaxMs: { heartbeating: beating.maxMs, sweeping: sweeping.maxMs },
      redisMsPerRound: beating.redisMs / (beating.seconds / ((intervalMs * 0.75) / 1000)),
      sweep: { swept, seconds: sweeping.seconds, redisMs: sweeping.redisMs },
    };
    const f1 = (n: number): string => n.toFixed(1);
    const markdown = [
      `One bridge (this process) with ${waiting} tasks waiting in its queue, \`queuedHeartbeatIntervalMs\` ${intervalMs}, \`queuedHeartbeatsPerSecond\` ${perSecondBudget}; the emulator in a child process. Baseline: a bridge with queued heartbeats off holding the same backlog. The sweep: every task's TimeoutSeconds (${timeoutSeconds} s) runs out while it waits, and each next heartbeat finds it closed and removes its job.`,
      '',
      markdownTable(
        ['window', 'seconds', 'bridge CPU %', 'event-loop delay p99 (ms)', 'max (ms)', 'Redis time (ms)'],
        [
          [
            'baseline (heartbeats off)',
            f1(baseline.seconds),
            f1(baseline.cpuPercent),
            f1(baseline.p99Ms),
            f1(baseline.maxMs),
            f1(baseline.redisMs),
          ],
          [
            'heartbeating',
            f1(beating.seconds),
            f1(beating.cpuPercent),
            f1(beating.p99Ms),
            f1(beating.maxMs),
            f1(beating.redisMs),
          ],
          [
            `sweep of ${swept} jobs`,
            f1(sweeping.seconds),
            f1(sweeping.cpuPercent),
            f1(sweeping.p99Ms),
            f1(sweeping.maxMs),
            f1(sweeping.redisMs),
          ],
        ],
      ),
      '',
      `Heartbeats per second while heartbeating: ${f1(figures.heartbeatsPerSecond)} (${waiting} tasks every ${(intervalMs * 0.75) / 1000} s need ${f1(waiting / ((intervalMs * 0.75) / 1000))}/s). Redis time per round over all ${waiting} tasks: ${f1(figures.redisMsPerRound)} ms. CPU ratio heartbeating / baseline: ${f1(beating.cpuPercent / Math.max(0.1, baseline.cpuPercent))}×.`,
    ].join('\n');
    ctx.log(`queued heartbeats: ${markdown.split('\n').at(-1)}`);
    return { title: 'Queued heartbeats at 10,000 waiting tasks', markdown, charts: {}, figures };
  } finally {
    await bridge.close({ force: true });
    await queue.close();
    await baselineQueue.close();
    await ctx.resetAll();
  }
}
