// What worker metrics and tracing cost: CPU of the worker process per task through ActivityWorker with
// no observer, with WorkerMetrics, with activityTracing() but no SDK registered (the API's no-op
// tracer), and with tracing on an SDK (BatchSpanProcessor, spans discarded); sides rotated each round.
// Then the processor alone (no Redis, no HTTP), whose few µs per task a loaded machine cannot hide.
//
//   pnpm --filter @sfn-bullmq/bench exec tsx src/worker/observability-cost.ts [--jobs 3000] [--rounds 3] [--concurrency 50]
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import {
  createPollingActivityClient,
  createSendActivityClient,
  jobIdForToken,
  parseTaskInput,
  type ActivityJobData,
  type SfnActivityClient,
} from '@sfn-bullmq/protocol';
import { RedisServer } from '@sfn-bullmq/test-support';
import {
  ActivityWorker,
  activityClientTaskSender,
  activityProcessor,
  type ActivityJobResult,
  type ActivityRunObserver,
} from '@sfn-bullmq/worker';
import { WorkerMetrics } from '@sfn-bullmq/worker/metrics';
import { activityTracing } from '@sfn-bullmq/worker/tracing';
import { Queue, type Job } from 'bullmq';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { IpcChild } from '../ipc-child.js';
import type { HostRequest } from './emulator-host.js';

const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const INPUT = JSON.stringify({ imageId: 'img-1', width: 640 });
const handler = (input: unknown): unknown => ({ ok: true, echo: input });

const SIDES = ['no observer', 'metrics', 'tracing, no SDK', 'tracing, SDK'] as const;
type Side = (typeof SIDES)[number];

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '3000' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '50' },
  },
});
const JOBS = Number(values.jobs);
const ROUNDS = Number(values.rounds);
const CONCURRENCY = Number(values.concurrency);
for (const [name, value] of Object.entries({ jobs: JOBS, rounds: ROUNDS, concurrency: CONCURRENCY })) {
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`--${name}: must be a positive whole number\n`);
    process.exit(2);
  }
}

/** Spans go nowhere: the cost measured is making and batching them, not an exporter's network. */
class DiscardingExporter implements SpanExporter {
  exported = 0;
  export(spans: ReadableSpan[], done: (result: { code: 0 }) => void): void {
    this.exported += spans.length;
    done({ code: 0 });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const exporter = new DiscardingExporter();
const provider = new BasicTracerProvider({
  spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 100_000 })],
});
const contextManager = new AsyncLocalStorageContextManager();

function observersOf(side: Side): ActivityRunObserver[] {
  switch (side) {
    case 'no observer':
      return [];
    case 'metrics':
      // A fresh registry per round: prom-client forbids the same names twice in one.
      return [new WorkerMetrics(new Registry()).observer];
    case 'tracing, no SDK':
      return [activityTracing()];
    case 'tracing, SDK':
      return [activityTracing({ tracer: provider.getTracer('bench') })];
  }
}

/** The emulator in its own process (emulator-host.ts), as in overhead.ts. */
async function startHost(): Promise<{ ipc: IpcChild<HostRequest>; endpoint: string }> {
  const ts = import.meta.url.endsWith('.ts');
  const entry = fileURLToPath(new URL(ts ? './emulator-host.ts' : './emulator-host.js', import.meta.url));
  const { child, ready } = await IpcChild.start<HostRequest>('emulator host', entry, {
    execArgv: ts ? ['--import', 'tsx'] : [],
  });
  return { ipc: child, endpoint: ready as string };
}

async function takeTokens(
  ipc: IpcChild<HostRequest>,
  poller: SfnActivityClient,
): Promise<{ activityArn: string; tokens: string[] }> {
  const activityArn = await ipc.request<string>({
    op: 'schedule',
    activity: `obs-${randomUUID()}`,
    count: JOBS,
    input: INPUT,
  });
  const tokens: string[] = [];
  await Promise.all(
    Array.from({ length: 100 }, async () => {
      while (tokens.length < JOBS) {
        const task = await poller.getActivityTask({ activityArn, workerName: 'bench' });
        if (task.taskToken === undefined) return;
        tokens.push(task.taskToken);
      }
    }),
  );
  if (tokens.length !== JOBS) throw new Error(`took ${tokens.length} of ${JOBS} tokens`);
  return { activityArn, tokens };
}

interface RoundResult {
  round: number;
  side: Side;
  seconds: number;
  cpuUsPerTask: number;
}

async function runRound(
  side: Side,
  round: number,
  ipc: IpcChild<HostRequest>,
  poller: SfnActivityClient,
  sendClient: SfnActivityClient,
  connection: { host: string; port: number },
): Promise<RoundResult> {
  const { activityArn, tokens } = await takeTokens(ipc, poller);
  const queueName = `obs-${randomUUID()}`;
  const queue = new Queue<ActivityJobData>(queueName, { connection });
  const receivedAt = Date.now();
  for (let i = 0; i < tokens.length; i += 1_000) {
    await queue.addBulk(
      tokens.slice(i, i + 1_000).map((taskToken) => ({
        name: queueName,
        data: { taskToken, ...parseTaskInput(INPUT), activityArn, workerName: 'bench', receivedAt },
        opts: { jobId: jobIdForToken(taskToken), removeOnComplete: true },
      })),
    );
  }
  if (side === 'tracing, SDK') context.setGlobalContextManager(contextManager.enable());
  let finished = 0;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  const worker = new ActivityWorker(queueName, handler, {
    connection,
    concurrency: CONCURRENCY,
    sfn: { sender: activityClientTaskSender(sendClient) },
    logger: pino({ level: 'silent' }),
    observers: observersOf(side),
  });
  const onEnd = (): void => {
    finished += 1;
    if (finished === JOBS) resolveDone();
  };
  worker.worker.on('completed', onEnd).on('failed', onEnd);
  await done;
  if (side === 'tracing, SDK') await provider.forceFlush();
  const cpu = process.cpuUsage(cpuBefore);
  const seconds = (performance.now() - startedAt) / 1_000;
  await worker.close();
  if (side === 'tracing, SDK') context.disable();
  await queue.obliterate({ force: true });
  await queue.close();
  return { round, side, seconds, cpuUsPerTask: (cpu.user + cpu.system) / JOBS };
}

/**
 * The observers' own cost, apart from Redis and HTTP (whose noise on a shared machine hides a few µs):
 * the processor alone on plain job objects and a sender that answers at once, sides interleaved.
 */
async function processorOnly(tasks: number, rounds: number): Promise<Map<Side, number[]>> {
  const sender = {
    sendTaskSuccess: () => Promise.resolve(),
    sendTaskFailure: () => Promise.resolve(),
    sendTaskHeartbeat: () => Promise.resolve(),
  };
  const activityArn = 'arn:aws:states:us-east-1:123456789012:activity:bench';
  const cpu = new Map<Side, number[]>(SIDES.map((side) => [side, []]));
  for (let round = 0; round <= rounds; round += 1) {
    for (const side of SIDES) {
      if (side === 'tracing, SDK') context.setGlobalContextManager(contextManager.enable());
      const process_ = activityProcessor(handler, {
        sfn: { sender },
        logger: pino({ level: 'silent' }),
        observers: observersOf(side),
      });
      const before = process.cpuUsage();
      for (let i = 0; i < tasks; i += 1) {
        const job = {
          id: `tk-${i}`,
          queueName: 'bench',
          timestamp: Date.now(),
          attemptsMade: 0,
          attemptsStarted: 1,
          opts: { attempts: 1 },
          data: {
            taskToken: `token-${i}`,
            input: { i },
            activityArn,
            workerName: 'bench',
            receivedAt: Date.now(),
          },
          updateData(data: unknown) {
            this.data = data as typeof this.data;
            return Promise.resolve();
          },
          updateProgress: () => Promise.resolve(),
        };
        await process_(job as unknown as Job<ActivityJobData, ActivityJobResult>, undefined, undefined);
      }
      const used = process.cpuUsage(before);
      if (side === 'tracing, SDK') {
        await provider.forceFlush();
        context.disable();
      }
      if (round > 0) cpu.get(side)?.push((used.user + used.system) / tasks); // round 0 warms up
    }
  }
  return cpu;
}

function median(numbers: number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

async function main(): Promise<void> {
  const explicit = process.env['REDIS_URL'];
  const redis = explicit === undefined || explicit === '' ? await RedisServer.start() : undefined;
  const url = new URL(redis?.url ?? (explicit as string));
  const connection = { host: url.hostname, port: Number(url.port) };
  const PROCESSOR_TASKS = 20_000;
  const processorCpu = await processorOnly(PROCESSOR_TASKS, ROUNDS);
  const { ipc, endpoint } = await startHost();
  const poller = createPollingActivityClient({
    endpoint,
    region: REGION,
    credentials: CREDENTIALS,
    maxConcurrentPolls: 100,
  });
  const sendClient = createSendActivityClient({
    endpoint,
    region: REGION,
    credentials: CREDENTIALS,
    maxSockets: 64,
  });
  const results: RoundResult[] = [];
  try {
    for (const side of SIDES) await runRound(side, 0, ipc, poller, sendClient, connection); // warm-up
    for (let round = 1; round <= ROUNDS; round += 1) {
      // Rotate the order, so drift over the run favours no side.
      const order = SIDES.map((_, i) => SIDES[(i + round) % SIDES.length] as Side);
      for (const side of order) {
        const result = await runRound(side, round, ipc, poller, sendClient, connection);
        results.push(result);
        process.stderr.write(`round ${round} ${side}: ${result.cpuUsPerTask.toFixed(0)} µs CPU/task\n`);
      }
    }
  } finally {
    await poller.close({ force: true });
    await sendClient.close();
    await ipc.request({ op: 'close' }).catch(() => undefined);
    await ipc.end();
    await redis?.close();
    await provider.shutdown();
  }

  // Per round, each side against the no-observer side of the same round; the median of those ratios.
  const ratio = (side: Side): number =>
    median(
      Array.from({ length: ROUNDS }, (_, i) => {
        const of = (s: Side) => results.find((r) => r.round === i + 1 && r.side === s)?.cpuUsPerTask ?? NaN;
        return of(side) / of('no observer');
      }),
    );
  const lines = [
    '### Worker CPU per task with metrics and tracing',
    '',
    `${JOBS} tasks per round, concurrency ${CONCURRENCY}, ${ROUNDS} rounds after one warm-up per side, order rotated; ` +
      `SendTaskSuccess to the emulator in its own process, private Redis, Node ${process.version}. ` +
      `CPU is this (worker) process's user + system time per task; spans exported: ${exporter.exported}.`,
    '',
    '| Side | Median CPU µs/task | Against no observer (median of per-round ratios) |',
    '| --- | ---: | ---: |',
    ...SIDES.map((side) => {
      const cpu = median(results.filter((r) => r.side === side).map((r) => r.cpuUsPerTask));
      const r = ratio(side);
      return `| ${side} | ${cpu.toFixed(0)} | ${side === 'no observer' ? '1.00' : `${r.toFixed(3)} (${((r - 1) * 100).toFixed(1)} %)`} |`;
    }),
    '',
    `The processor alone (\`activityProcessor\` on plain job objects, a sender that answers at once, no Redis or HTTP), ` +
      `${PROCESSOR_TASKS} tasks per side and round, ${ROUNDS} rounds after a warm-up, sides interleaved; ` +
      `the added µs are then set against the median end-to-end CPU per task with no observer above:`,
    '',
    '| Side | Median processor CPU µs/task | Added µs/task | Added, as a share of end-to-end CPU/task |',
    '| --- | ---: | ---: | ---: |',
    ...SIDES.map((side) => {
      const base = median(processorCpu.get('no observer') ?? []);
      const cpu = median(processorCpu.get(side) ?? []);
      const endToEnd = median(results.filter((r) => r.side === 'no observer').map((r) => r.cpuUsPerTask));
      return `| ${side} | ${cpu.toFixed(1)} | ${(cpu - base).toFixed(1)} | ${(((cpu - base) / endToEnd) * 100).toFixed(1)} % |`;
    }),
    '',
    '| Round | Side | Seconds | CPU µs/task |',
    '| ---: | --- | ---: | ---: |',
    ...results.map(
      (r) => `| ${r.round} | ${r.side} | ${r.seconds.toFixed(2)} | ${r.cpuUsPerTask.toFixed(0)} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
