// Cost: memory and CPU of one bridge holding 1,000 idle polls, bridge memory per
// 1,000 queued tokens, and Redis memory per queued task (INFO memory before/after).
import { uniqueName } from '@sfn-bullmq/test-support';
import { Queue } from 'bullmq';
import { sleep, type BenchContext, type BenchResult } from './bench-context.js';
import { BenchProcess, CHILD_RUNTIME, cpuPercent } from './bench-process.js';
import { markdownTable, mb } from './markdown-table.js';

export interface CostFigures {
  idleBaselineRss: number;
  idlePollsRss: number;
  idlePolls: number;
  idleCpuPercent: number;
  queuedTokens: number;
  bridgeRssPer1000: number;
  redisBytesPerTask: number;
}

export async function runCost(ctx: BenchContext): Promise<BenchResult & { figures: CostFigures }> {
  const tiny = ctx.size === 'tiny';
  const arnsCount = tiny ? 2 : 10;
  const pollsPerArn = tiny ? 20 : 100;
  const idleWindowMs = tiny ? 1_000 : 10_000;
  const queuedTokens = tiny ? 500 : 20_000;
  const redisPort = ctx.redis.port;

  ctx.log(`cost: one bridge holding ${arnsCount * pollsPerArn} idle polls for ${idleWindowMs / 1000} s`);
  let idleBaselineRss = 0;
  let idlePollsRss = 0;
  let idleCpuPercent = 0;
  // A fresh process, so the baseline is not inflated by roles earlier benchmarks ran in the shared one.
  const bridgeProcess = await BenchProcess.start('idle-bridge');
  try {
    const names = Array.from({ length: arnsCount }, (_, i) => uniqueName(`idle${i}`));
    const { endpoint, arns } = await ctx.emulatorProcess.call<{ endpoint: string; arns: string[] }>(
      'emulator.start',
      {
        pollTimeoutMs: 60_000,
        activities: names,
      },
    );
    idleBaselineRss = (await bridgeProcess.usage()).rss;
    await bridgeProcess.call('bridge.start', {
      endpoint,
      redisPort,
      activities: arns.map((arn) => ({ arn, polls: pollsPerArn })),
    });
    for (const arn of arns) {
      await ctx.emulatorProcess.call('emulator.waitOpenPolls', {
        arn,
        polls: pollsPerArn,
        timeoutMs: 15_000,
      });
    }
    await sleep(1_000);
    const before = await bridgeProcess.usage();
    await sleep(idleWindowMs);
    const after = await bridgeProcess.usage();
    idlePollsRss = after.rss;
    idleCpuPercent = cpuPercent(before, after);
  } finally {
    await bridgeProcess.close();
    await ctx.resetAll();
  }

  ctx.log(`cost: ${queuedTokens} tokens queued in Redis with no worker`);
  let bridgeRssPer1000 = 0;
  let redisBytesPerTask = 0;
  try {
    const name = uniqueName('queued');
    const { endpoint, arns } = await ctx.emulatorProcess.call<{ endpoint: string; arns: string[] }>(
      'emulator.start',
      {
        pollTimeoutMs: 5_000,
        activities: [name],
      },
    );
    const arn = arns[0]!;
    await ctx.bridgeProcess.call('bridge.start', {
      endpoint,
      redisPort,
      activities: [{ arn, polls: 100, maxWaiting: queuedTokens * 2 }],
    });
    await ctx.emulatorProcess.call('emulator.waitOpenPolls', { arn, polls: 100, timeoutMs: 10_000 });
    // A small warm-up batch, so one-off allocations (BullMQ scripts, buffers) are not counted per token.
    await ctx.emulatorProcess.call('emulator.schedule', { arn, count: 200, ratePerSecond: null });
    const queue = new Queue(name, { connection: { host: '127.0.0.1', port: redisPort } });
    try {
      await waitForWaiting(queue, 200);
      await sleep(500);
      const redisBefore = await usedMemory(ctx);
      const rssBefore = (await ctx.bridgeProcess.usage()).rss;
      await ctx.emulatorProcess.call('emulator.schedule', { arn, count: queuedTokens, ratePerSecond: null });
      await waitForWaiting(queue, 200 + queuedTokens);
      await sleep(500);
      const redisAfter = await usedMemory(ctx);
      const rssAfter = (await ctx.bridgeProcess.usage()).rss;
      bridgeRssPer1000 = ((rssAfter - rssBefore) / queuedTokens) * 1000;
      redisBytesPerTask = (redisAfter - redisBefore) / queuedTokens;
    } finally {
      await queue.close();
    }
  } finally {
    await ctx.resetAll();
  }

  const figures: CostFigures = {
    idleBaselineRss,
    idlePollsRss,
    idlePolls: arnsCount * pollsPerArn,
    idleCpuPercent,
    queuedTokens,
    bridgeRssPer1000,
    redisBytesPerTask,
  };
  const table = markdownTable(
    ['figure', 'value', 'how measured'],
    [
      [
        `bridge RSS holding ${figures.idlePolls} idle polls`,
        mb(idlePollsRss),
        `${arnsCount} ARNs × ${pollsPerArn} polls, emulator (60 s poll timeout) in another process; \`process.memoryUsage().rss\` of the bridge process; a fresh benchmark child process (${CHILD_RUNTIME}; the IPC harness and pino loaded) before the bridge module was imported: ${mb(idleBaselineRss)}, so the bridge's own share is ${mb(idlePollsRss - idleBaselineRss)}`,
      ],
      [
        'bridge CPU while idle',
        `${idleCpuPercent.toFixed(2)} % of one core`,
        `\`process.cpuUsage()\` delta over ${idleWindowMs / 1000} s with the polls open and no tasks`,
      ],
      [
        'bridge RSS per 1,000 queued tokens',
        mb(bridgeRssPer1000),
        `RSS after − before ${queuedTokens.toLocaleString('en-US')} tokens polled and stored as waiting jobs (no worker), ÷ ${queuedTokens / 1000}; after a 200-token warm-up. Either reading can include garbage not yet collected, so this is noisy in both directions (a negative value means no growth was seen), not a bound`,
      ],
      [
        'Redis memory per queued task',
        `${Math.round(redisBytesPerTask).toLocaleString('en-US')} bytes`,
        `\`INFO memory\` used_memory after − before the same ${queuedTokens.toLocaleString('en-US')} waiting jobs (token of ~40 characters, input \`{"t":…}\`), ÷ count`,
      ],
    ],
  );
  return {
    title: 'Cost',
    markdown: [
      '**How measured.** See each row; emulator, bridge and Redis are separate processes.',
      '',
      table,
    ].join('\n'),
    charts: {},
    figures,
  };
}

async function waitForWaiting(queue: Queue, count: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  while ((await queue.getWaitingCount()) < count) {
    if (Date.now() > deadline)
      throw new Error(`only ${await queue.getWaitingCount()} of ${count} jobs waiting`);
    await sleep(50);
  }
}

async function usedMemory(ctx: BenchContext): Promise<number> {
  const info = await ctx.redisClient.info('memory');
  const match = /^used_memory:(\d+)/m.exec(info);
  return match === null ? NaN : Number(match[1]);
}
