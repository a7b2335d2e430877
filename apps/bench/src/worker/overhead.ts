// The worker's cost: jobs per second through ActivityWorker against a bare BullMQ
// Worker whose processor makes the same SendTaskSuccess call by hand (both on the SfnActivityClient that
// ActivityWorker builds by default); same concurrency, sides alternated.
//
//   pnpm --filter @sfn-bullmq/bench exec tsx src/worker/overhead.ts [--jobs 3000] [--rounds 3] [--concurrency 50]
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  createPollingActivityClient,
  createSendActivityClient,
  jobIdForToken,
  parseTaskInput,
  type ActivityJobData,
  type SfnActivityClient,
} from '@sfn-bullmq/protocol';
import { RedisServer } from '@sfn-bullmq/test-support';
import { ActivityWorker, activityClientTaskSender } from '@sfn-bullmq/worker';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { IpcChild } from '../ipc-child.js';
import type { HostRequest, HostStats } from './emulator-host.js';

const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const INPUT = JSON.stringify({ imageId: 'img-1', width: 640 });
/** The same trivial handler on both sides, so only the machinery differs. */
const handler = (input: unknown): unknown => ({ ok: true, echo: input });

type Side = 'bare' | 'ActivityWorker';

interface RoundResult {
  round: number;
  side: Side;
  jobs: number;
  seconds: number;
  jobsPerSecond: number;
  /** CPU per job, in microseconds: this (worker) process, redis-server, the emulator process. */
  workerCpuUs: number;
  redisCpuUs: number;
  emulatorCpuUs: number;
}

/** CPU seconds redis-server has used (INFO cpu), in microseconds. */
async function redisCpuMicros(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string): number => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? 0);
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1e6;
}

async function emulatorCpuMicros(host: EmulatorHost, activityArn: string): Promise<number> {
  return (await host.stats(activityArn)).cpuMicros;
}

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '3000' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '50' },
  },
});
const JOBS = positive('jobs', values.jobs);
const ROUNDS = positive('rounds', values.rounds);
const CONCURRENCY = positive('concurrency', values.concurrency);

function positive(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`--${name}: must be a positive whole number, got '${raw}'\n`);
    process.exit(2);
  }
  return value;
}

/** The emulator in its own process (emulator-host.ts). */
class EmulatorHost {
  private constructor(
    private readonly ipc: IpcChild<HostRequest>,
    readonly endpoint: string,
  ) {}

  static async start(): Promise<EmulatorHost> {
    const ts = import.meta.url.endsWith('.ts');
    const entry = fileURLToPath(new URL(ts ? './emulator-host.ts' : './emulator-host.js', import.meta.url));
    const { child, ready } = await IpcChild.start<HostRequest>('emulator host', entry, {
      execArgv: ts ? ['--import', 'tsx'] : [],
    });
    return new EmulatorHost(child, ready as string);
  }

  /** Creates an activity and schedules `count` tasks on it; resolves with its ARN. */
  schedule(activity: string, count: number, input: string): Promise<string> {
    return this.ipc.request<string>({ op: 'schedule', activity, count, input });
  }

  stats(activityArn: string): Promise<HostStats> {
    return this.ipc.request<HostStats>({ op: 'stats', activityArn });
  }

  async close(): Promise<void> {
    try {
      await this.ipc.request({ op: 'close' });
    } finally {
      await this.ipc.end();
    }
  }
}

/** Schedules `count` tasks and takes their tokens with 100 concurrent polls, as a bridge would. */
async function takeTokens(
  host: EmulatorHost,
  poller: SfnActivityClient,
  count: number,
): Promise<{ activityArn: string; tokens: string[] }> {
  const activityArn = await host.schedule(`bench-${randomUUID()}`, count, INPUT);
  const tokens: string[] = [];
  await Promise.all(
    Array.from({ length: 100 }, async () => {
      while (tokens.length < count) {
        const task = await poller.getActivityTask({ activityArn, workerName: 'bench' });
        if (task.taskToken === undefined) return;
        tokens.push(task.taskToken);
      }
    }),
  );
  if (tokens.length !== count) throw new Error(`took ${tokens.length} of ${count} tokens`);
  return { activityArn, tokens };
}

async function runRound(
  side: Side,
  round: number,
  host: EmulatorHost,
  poller: SfnActivityClient,
  sendClient: SfnActivityClient,
  connection: { host: string; port: number },
  redis: Redis,
): Promise<RoundResult> {
  const { activityArn, tokens } = await takeTokens(host, poller, JOBS);
  const queueName = `bench-${side === 'bare' ? 'bare' : 'wrapped'}-${randomUUID()}`;
  const queue = new Queue<ActivityJobData>(queueName, { connection });
  const receivedAt = Date.now();
  for (let i = 0; i < tokens.length; i += 1_000) {
    await queue.addBulk(
      tokens.slice(i, i + 1_000).map((taskToken) => ({
        name: queueName,
        data: { taskToken, ...parseTaskInput(INPUT), activityArn, workerName: 'bench', receivedAt },
        opts: { jobId: jobIdForToken(taskToken) },
      })),
    );
  }

  let completed = 0;
  let failed = 0;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const onCompleted = (): void => {
    completed += 1;
    if (completed + failed === JOBS) resolveDone();
  };
  const onFailed = (): void => {
    failed += 1;
    if (completed + failed === JOBS) resolveDone();
  };

  const emulatorCpuBefore = await emulatorCpuMicros(host, activityArn);
  const redisCpuBefore = await redisCpuMicros(redis);
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  let close: () => Promise<void>;
  if (side === 'bare') {
    const worker = new Worker<ActivityJobData>(
      queueName,
      async (job) => {
        const output = JSON.stringify(handler(job.data.input));
        await sendClient.sendTaskSuccess({ taskToken: job.data.taskToken, output });
      },
      { connection, concurrency: CONCURRENCY },
    );
    worker.on('completed', onCompleted).on('failed', onFailed);
    close = () => worker.close();
  } else {
    const worker = new ActivityWorker(queueName, handler, {
      connection,
      concurrency: CONCURRENCY,
      sfn: { sender: activityClientTaskSender(sendClient) },
      logger: pino({ level: 'silent' }),
    });
    worker.worker.on('completed', onCompleted).on('failed', onFailed);
    close = () => worker.close();
  }
  await done;
  const seconds = (performance.now() - startedAt) / 1_000;
  const cpu = process.cpuUsage(cpuBefore);
  const redisCpu = (await redisCpuMicros(redis)) - redisCpuBefore;
  const emulatorCpu = (await emulatorCpuMicros(host, activityArn)) - emulatorCpuBefore;
  await close();
  await queue.obliterate({ force: true });
  await queue.close();

  const stats = await host.stats(activityArn);
  if (failed > 0 || stats.succeeded !== JOBS) {
    throw new Error(`${side} round ${round}: ${failed} jobs failed, emulator stats ${JSON.stringify(stats)}`);
  }
  return {
    round,
    side,
    jobs: JOBS,
    seconds,
    jobsPerSecond: JOBS / seconds,
    workerCpuUs: (cpu.user + cpu.system) / JOBS,
    redisCpuUs: redisCpu / JOBS,
    emulatorCpuUs: emulatorCpu / JOBS,
  };
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
  const host = await EmulatorHost.start();
  const poller = createPollingActivityClient({
    endpoint: host.endpoint,
    region: REGION,
    credentials: CREDENTIALS,
    maxConcurrentPolls: 100,
  });
  const redisClient = new Redis(connection);
  const sendClient = createSendActivityClient({
    endpoint: host.endpoint,
    region: REGION,
    credentials: CREDENTIALS,
    maxSockets: 64,
  });
  const results: RoundResult[] = [];
  try {
    // A warm-up round per side (not reported): JIT, sockets and Redis scripts.
    for (const side of ['bare', 'ActivityWorker'] as const)
      await runRound(side, 0, host, poller, sendClient, connection, redisClient);
    for (let round = 1; round <= ROUNDS; round += 1) {
      // Alternate which side goes first, so drift over the run does not favour one.
      const order: Side[] = round % 2 === 1 ? ['bare', 'ActivityWorker'] : ['ActivityWorker', 'bare'];
      for (const side of order) {
        const result = await runRound(side, round, host, poller, sendClient, connection, redisClient);
        results.push(result);
        process.stderr.write(`round ${round} ${side}: ${result.jobsPerSecond.toFixed(0)} jobs/s\n`);
      }
    }
  } finally {
    redisClient.disconnect();
    await poller.close({ force: true });
    await sendClient.close();
    await host.close();
    await redis?.close();
  }

  const medianOf = (side: Side, key: 'workerCpuUs' | 'redisCpuUs'): number =>
    median(results.filter((r) => r.side === side).map((r) => r[key]));
  // Each round ran both sides back to back, so their ratio cancels most of the drift of a busy machine.
  const pairedRatio = median(
    Array.from({ length: ROUNDS }, (_, i) => {
      const of = (side: Side): number =>
        results.find((r) => r.round === i + 1 && r.side === side)?.jobsPerSecond ?? NaN;
      return of('ActivityWorker') / of('bare');
    }),
  );
  const bare = median(results.filter((r) => r.side === 'bare').map((r) => r.jobsPerSecond));
  const wrapped = median(results.filter((r) => r.side === 'ActivityWorker').map((r) => r.jobsPerSecond));
  const lines = [
    `### Worker overhead: ActivityWorker vs a bare BullMQ processor (SendTaskSuccess to the emulator)`,
    '',
    `${JOBS} jobs per round, concurrency ${CONCURRENCY}, ${ROUNDS} rounds per side after one warm-up each, sides alternated; ` +
      `emulator in its own process, private Redis, Node ${process.version}.`,
    '',
    'CPU per job is measured per process (worker: this process; redis-server: INFO cpu; emulator: its process), ' +
      'so it holds up better than jobs/s on a busy machine.',
    '',
    '| Round | Side | Jobs | Seconds | Jobs/s | Worker CPU µs/job | Redis CPU µs/job | Emulator CPU µs/job |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map(
      (r) =>
        `| ${r.round} | ${r.side} | ${r.jobs} | ${r.seconds.toFixed(2)} | ${r.jobsPerSecond.toFixed(0)} | ` +
        `${r.workerCpuUs.toFixed(0)} | ${r.redisCpuUs.toFixed(0)} | ${r.emulatorCpuUs.toFixed(0)} |`,
    ),
    '',
    '| Side | Median jobs/s | Median worker CPU µs/job | Median Redis CPU µs/job |',
    '| --- | ---: | ---: | ---: |',
    `| bare BullMQ processor | ${bare.toFixed(0)} | ${medianOf('bare', 'workerCpuUs').toFixed(0)} | ${medianOf('bare', 'redisCpuUs').toFixed(0)} |`,
    `| ActivityWorker | ${wrapped.toFixed(0)} | ${medianOf('ActivityWorker', 'workerCpuUs').toFixed(0)} | ${medianOf('ActivityWorker', 'redisCpuUs').toFixed(0)} |`,
    '',
    `**Throughput ratio (ActivityWorker / bare): ${((wrapped / bare) * 100).toFixed(1)} %** of the medians; ` +
      `median of the per-round ratios ${(pairedRatio * 100).toFixed(1)} % (target ≥ 90 %).`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
