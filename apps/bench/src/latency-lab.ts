// The latency lab: pickup latency (task scheduled → handler started) through the
// bridge and a worker, for 1 to 200 open polls per ARN, with dropped tokens on and off.
import type { ActivityStats } from '@sfn-bullmq/emulator';
import { uniqueName } from '@sfn-bullmq/test-support';
import { sleep, type BenchContext, type BenchResult } from './bench-context.js';
import type { LatencySummary } from './latency-samples.js';
import { markdownTable, ms } from './markdown-table.js';
import { lineChart } from './svg-chart.js';

const LAB_POLL_TIMEOUT_MS = 2_000;
const AWS_POLL_TIMEOUT_MS = 60_000;
const FAULTS = { dropRate: 0.02, stallFollowers: 10 };

export interface LabRow {
  polls: number;
  faults: boolean;
  scheduled: number;
  handled: number;
  lost: number;
  pickup: LatencySummary;
  emulatorWaitP99: number;
}

export async function runLatencyLab(ctx: BenchContext): Promise<BenchResult & { rows: LabRow[] }> {
  const tiny = ctx.size === 'tiny';
  const pollCounts = tiny ? [1, 20] : [1, 5, 20, 100, 200];
  const ratePerSecond = tiny ? 50 : 100;
  const durationMs = tiny ? 1_000 : 10_000;
  const count = Math.round((ratePerSecond * durationMs) / 1000);
  const rows: LabRow[] = [];
  for (const faults of [false, true]) {
    for (const polls of pollCounts) {
      ctx.log(
        `latency lab: ${polls} polls, faults ${faults ? 'on' : 'off'} (${count} tasks at ${ratePerSecond}/s)`,
      );
      rows.push(await labRun(ctx, polls, faults, count, ratePerSecond));
    }
  }
  const table = markdownTable(
    [
      'open polls',
      'faults',
      'tasks',
      'handled',
      'lost',
      'p50 ms',
      'p99 ms',
      'max ms',
      'emulator wait p99 ms',
    ],
    rows.map((r) => [
      r.polls,
      r.faults ? `drop ${FAULTS.dropRate}, stall ${FAULTS.stallFollowers}` : 'none',
      r.scheduled,
      r.handled,
      r.lost,
      ms(r.pickup.p50),
      ms(r.pickup.p99),
      ms(r.pickup.max),
      ms(r.emulatorWaitP99),
    ]),
  );
  const series = [false, true].map((faults) => ({
    name: faults ? 'faults on' : 'no faults',
    points: rows
      .filter((r) => r.faults === faults)
      .map((r) => ({ x: r.polls, y: Math.max(r.pickup.p99, 0.1) })),
  }));
  const chart = lineChart({
    title: `Pickup p99 vs open polls (poll timeout ${LAB_POLL_TIMEOUT_MS} ms)`,
    xLabel: 'open GetActivityTask polls per ARN (log)',
    yLabel: 'p99 pickup latency, ms (log)',
    series,
    logX: true,
    logY: true,
  });
  const scale = AWS_POLL_TIMEOUT_MS / LAB_POLL_TIMEOUT_MS;
  const markdown = [
    `**How measured.** One emulator process (the task driver runs inside it and calls \`scheduleTask\` at a steady ${ratePerSecond} tasks/s for ${durationMs / 1000} s, writing the scheduling time into each task's input), one bridge process holding N open polls on one ARN (\`polls: N\`, all other options default), one worker process (\`ActivityWorker\`, concurrency 50, handler returns at once) on a private Redis. Pickup latency = handler start − scheduling time, read on the worker from the input (both processes read \`performance.timeOrigin + performance.now()\`). "Emulator wait" is the emulator's own scheduled → token-handed-out histogram. Faults: \`dropRate ${FAULTS.dropRate}\` (2 % of deliveries are never answered; the task counts as started and is lost) with \`stallFollowers ${FAULTS.stallFollowers}\` (the next 10 polls freeze behind each dropped one until its deadline). "Lost" is the emulator's count of tokens dropped by the fault; lost tasks have no pickup and are not in the percentiles.`,
    '',
    `**Poll timeout shortened** from AWS's ${AWS_POLL_TIMEOUT_MS.toLocaleString('en-US')} ms to ${LAB_POLL_TIMEOUT_MS.toLocaleString('en-US')} ms (the emulator's \`pollTimeoutMs\`), ${scale}× shorter, to keep the run short. A stall lasts until the dropped poll's deadline, so stall-bound figures (p99 and max with faults and few polls) scale by about ${scale}× on AWS: a ${LAB_POLL_TIMEOUT_MS / 1000} s stall here is up to a ${AWS_POLL_TIMEOUT_MS / 1000} s stall there. Figures not bound by the timeout do not scale.`,
    '',
    table,
    '',
    '![p99 pickup latency against open polls](latency-lab-p99.svg)',
    '',
    labConclusion(rows, scale),
  ].join('\n');
  return {
    title: 'Latency lab: the dropped-token stall',
    markdown,
    charts: { 'latency-lab-p99.svg': chart },
    rows,
  };
}

async function labRun(
  ctx: BenchContext,
  polls: number,
  faults: boolean,
  count: number,
  ratePerSecond: number,
): Promise<LabRow> {
  const name = uniqueName(`lab${polls}${faults ? 'f' : 'n'}`);
  try {
    const { endpoint, arns } = await ctx.emulatorProcess.call<{ endpoint: string; arns: string[] }>(
      'emulator.start',
      {
        pollTimeoutMs: LAB_POLL_TIMEOUT_MS,
        faults: faults ? FAULTS : {},
        activities: [name],
      },
    );
    const arn = arns[0]!;
    await ctx.workerProcess.call('worker.start', {
      queueName: name,
      redisPort: ctx.redis.port,
      endpoint,
      concurrency: 50,
    });
    await ctx.bridgeProcess.call('bridge.start', {
      endpoint,
      redisPort: ctx.redis.port,
      activities: [{ arn, polls }],
    });
    await ctx.emulatorProcess.call('emulator.waitOpenPolls', { arn, polls, timeoutMs: 10_000 });
    await sleep(200);
    await ctx.emulatorProcess.call('emulator.schedule', { arn, count, ratePerSecond });
    const closed = await ctx.emulatorProcess.call<{ stats: ActivityStats; timedOut: boolean }>(
      'emulator.waitClosed',
      {
        arn,
        count,
        timeoutMs: 6 * LAB_POLL_TIMEOUT_MS + 5_000,
      },
    );
    const pickup = await ctx.workerProcess.call<LatencySummary & { handled: number }>('pickup.take');
    return {
      polls,
      faults,
      scheduled: count,
      handled: pickup.handled,
      lost: closed.stats.lostTokens.total,
      pickup: { count: pickup.count, p50: pickup.p50, p99: pickup.p99, max: pickup.max },
      emulatorWaitP99: closed.stats.waitMs.p99,
    };
  } finally {
    await ctx.resetAll();
  }
}

function labConclusion(rows: LabRow[], scale: number): string {
  const find = (polls: number, faults: boolean): LabRow | undefined =>
    rows.find((r) => r.polls === polls && r.faults === faults);
  const few = find(1, true);
  const many = find(Math.max(...rows.map((r) => r.polls)), true);
  const manyClean = find(Math.max(...rows.map((r) => r.polls)), false);
  if (few === undefined || many === undefined || manyClean === undefined) return '';
  return [
    `**Reading.** With faults and 1 open poll, p99 pickup was ${ms(few.pickup.p99)} ms and max ${ms(few.pickup.max)} ms (≈ ${ms((few.pickup.max * scale) / 1000)} s at AWS's 60 s poll timeout, if stall-bound). With ${many.polls} open polls and the same faults, p99 was ${ms(many.pickup.p99)} ms against ${ms(manyClean.pickup.p99)} ms without faults.`,
    rows.some((r) => r.handled + r.lost < r.scheduled)
      ? "Where handled + lost < tasks, the consumer could not keep up and the wait cap (6 poll timeouts + 5 s) ended the run with tasks still queued: those rows' percentiles leave the unhandled tasks out, so they are lower bounds."
      : '',
    'Lost tasks are the dropped tokens themselves: no number of polls brings them back (they wait for their TimeoutSeconds); more polls only keep the *other* tasks flowing.',
  ].join(' ');
}
