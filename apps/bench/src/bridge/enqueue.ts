// Bridge benchmark: tokens enqueued per second from the emulator, added latency
// from poll response to job in Redis, and RSS/CPU of one process holding 1,000 idle polls.
// Run (after `pnpm --filter @sfn-bullmq/bench run build`, which also builds the idle child):
//   pnpm --filter @sfn-bullmq/bench exec node dist/bridge/enqueue.js [idle | throughput [tasks] | tasks]
// `idle` measures only the idle polls (about 20 s); `throughput` only the enqueue rate; a number alone
// runs both with that many tasks (default 20000). The `parts` runner runs this file from src under
// tsx; it then still forks the idle bridge from dist, so dist must be built from the same source
// (`pnpm bench` builds first). The idle bridge always runs compiled under plain node in its own
// process (idle-bridge.ts), so its figure is the bridge's own, without this harness or tsx's loader.
// The throughput run keeps the bridge in this process, so its CPU includes the harness.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Bridge } from '@sfn-bullmq/bridge';
import { RedisServer, uniqueName } from '@sfn-bullmq/test-support';
import { Queue } from 'bullmq';
import { pino } from 'pino';
import { IpcChild } from '../ipc-child.js';
import { mb } from '../markdown-table.js';
import type { EmulatorRequest } from './emulator-process.js';
import type { IdleBridgeRequest, IdleBridgeUsage } from './idle-bridge.js';

// prom-client comes through the bridge; its type is taken from there.
type Registry = Bridge['registry'];

const CREDENTIALS = { accessKeyId: 'x', secretAccessKey: 'x' };
const USAGE = 'usage: enqueue [idle | throughput [tasks] | tasks]';

function parseMode(argv: string[]): { idle: boolean; throughput: boolean; tasks: number } {
  const [first, second] = argv;
  const tasksOf = (arg: string | undefined): number => {
    const tasks = Number(arg ?? '20000');
    if (!Number.isInteger(tasks) || tasks <= 0)
      throw new Error(`tasks: a positive integer, got ${arg}\n${USAGE}`);
    return tasks;
  };
  if (first === 'idle') return { idle: true, throughput: false, tasks: 0 };
  if (first === 'throughput') return { idle: false, throughput: true, tasks: tasksOf(second) };
  return { idle: true, throughput: true, tasks: tasksOf(first) };
}

const MODE = parseMode(process.argv.slice(2));
const TASKS = MODE.tasks;

const RUNNING_TS = import.meta.url.endsWith('.ts');

/** A sibling module of this directory, as it exists in the running tree (src/*.ts or dist/*.js). */
function siblingEntry(name: string): string {
  return fileURLToPath(new URL(`./${name}${RUNNING_TS ? '.ts' : '.js'}`, import.meta.url));
}

/**
 * A sibling module in dist, even when this module runs from src: for a child that must run
 * compiled under plain node whatever runs the benchmark.
 */
function distEntry(name: string): string {
  const file = fileURLToPath(
    new URL(RUNNING_TS ? `../../dist/bridge/${name}.js` : `./${name}.js`, import.meta.url),
  );
  if (!existsSync(file))
    throw new Error(`${file} is missing: build first (pnpm --filter @sfn-bullmq/bench run build)`);
  return file;
}

class EmulatorChild {
  private constructor(
    private readonly ipc: IpcChild<EmulatorRequest>,
    readonly endpoint: string,
  ) {}

  static async start(pollTimeoutMs: number): Promise<EmulatorChild> {
    // Whatever runs this file runs the emulator too (fork inherits tsx's loader under tsx); only the
    // bridge's process is measured, so the emulator's runtime does not matter.
    const { child, ready } = await IpcChild.start<EmulatorRequest>(
      'emulator',
      siblingEntry('emulator-process'),
      {
        args: [String(pollTimeoutMs)],
        execArgv: process.execArgv,
      },
    );
    return new EmulatorChild(child, ready as string);
  }

  request<T>(request: Parameters<IpcChild<EmulatorRequest>['request']>[0]): Promise<T> {
    return this.ipc.request<T>(request);
  }

  async close(): Promise<void> {
    try {
      await this.request({ op: 'close' });
    } finally {
      await this.ipc.end();
    }
  }
}

/** A quantile from a prom-client histogram, interpolated linearly inside its bucket. */
async function quantile(registry: Registry, name: string, q: number): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) return Number.NaN;
  const { values } = await metric.get();
  const buckets = values
    .filter((v) => (v as { metricName?: string }).metricName === `${name}_bucket`)
    .map((v) => ({
      le: v.labels['le'] === '+Inf' ? Number.POSITIVE_INFINITY : Number(v.labels['le']),
      count: v.value,
    }))
    .sort((a, b) => a.le - b.le);
  const total = buckets.at(-1)?.count ?? 0;
  const rank = q * total;
  let previous = { le: 0, count: 0 };
  for (const bucket of buckets) {
    if (bucket.count >= rank) {
      if (!Number.isFinite(bucket.le)) return previous.le;
      const inBucket = bucket.count - previous.count;
      const fraction = inBucket === 0 ? 0 : (rank - previous.count) / inBucket;
      return previous.le + fraction * (bucket.le - previous.le);
    }
    previous = bucket;
  }
  return Number.NaN;
}

async function counter(registry: Registry, name: string): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) return 0;
  const { values } = await metric.get();
  return values.reduce((sum, v) => sum + v.value, 0);
}

async function until(predicate: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const silent = pino({ level: 'silent' });

function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

interface Row {
  figure: string;
  value: string;
  how: string;
}

async function throughput(redis: RedisServer, rows: Row[]): Promise<void> {
  const emulator = await EmulatorChild.start(2_000);
  const name = uniqueName('bench');
  const [arn] = await emulator.request<string[]>({ op: 'createActivities', names: [name] });
  if (arn === undefined) throw new Error('no activity');
  progress(`emulator at ${emulator.endpoint}; scheduling ${TASKS} tasks`);
  await emulator.request({ op: 'schedule', arn, count: TASKS });
  progress('scheduled; starting the bridge');
  const prefix = uniqueName('bull');
  const bridge = new Bridge({
    connection: { url: redis.url },
    prefix,
    sfn: { region: 'us-east-1', endpoint: emulator.endpoint, credentials: CREDENTIALS },
    // The bridge logs at info by default; this script's stdout is the results table.
    logger: silent,
    activities: [{ activityArn: arn, polls: 100, maxWaiting: TASKS * 2 }],
  });
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  await bridge.start();
  await until(
    async () => (await counter(bridge.registry, 'sfn_bullmq_bridge_tokens_enqueued_total')) >= TASKS,
    120_000,
    'all tokens enqueued',
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  progress(`enqueued ${TASKS} in ${seconds.toFixed(2)} s`);
  const queue = new Queue(name, { connection: { url: redis.url }, prefix });
  const inRedis = await queue.count();
  const p50 = await quantile(bridge.registry, 'sfn_bullmq_bridge_enqueue_latency_seconds', 0.5);
  const p99 = await quantile(bridge.registry, 'sfn_bullmq_bridge_enqueue_latency_seconds', 0.99);
  await bridge.close();
  const stats = await emulator.request<{ lostTokens: { total: number }; started: number }>({ op: 'stats' });
  rows.push({
    figure: 'tokens enqueued per second',
    value: `${Math.round(TASKS / seconds)}/s (${TASKS} in ${seconds.toFixed(2)} s; ${inRedis} jobs in Redis, ${stats.started} started, ${stats.lostTokens.total} lost)`,
    how: `${TASKS} tasks pre-scheduled with scheduleTask on an emulator in a child process; one bridge, 100 polls; from start() to the bridge's tokens_enqueued counter reaching ${TASKS}; job count checked in Redis`,
  });
  rows.push({
    figure: 'bridge CPU per token',
    value: `${Math.round((cpu.user + cpu.system) / TASKS)} µs (${(((cpu.user + cpu.system) / 1000 / (seconds * 1000)) * 100).toFixed(0)} % of one core)`,
    how: 'process.cpuUsage() of the bridge process over the same run (start() to the last token; the harness polls one counter every 20 ms), divided by tokens; holds up better than tokens/s when other work shares the cores',
  });
  rows.push({
    figure: 'added latency, poll response → job in Redis, under saturation',
    value: `p50 ${(p50 * 1000).toFixed(2)} ms, p99 ${(p99 * 1000).toFixed(2)} ms`,
    how: "the bridge's enqueue_latency_seconds histogram (performance.now() at poll return to Redis ack of the add), linear interpolation inside buckets, same run",
  });

  // Paced: 500 tasks/s, what a real account sustains per region (docs/step-functions.md#limits).
  const pacedName = uniqueName('paced');
  const [pacedArn] = await emulator.request<string[]>({ op: 'createActivities', names: [pacedName] });
  if (pacedArn === undefined) throw new Error('no activity');
  const paced = new Bridge({
    connection: { url: redis.url },
    prefix,
    sfn: { region: 'us-east-1', endpoint: emulator.endpoint, credentials: CREDENTIALS },
    // The bridge logs at info by default; this script's stdout is the results table.
    logger: silent,
    activities: [{ activityArn: pacedArn, polls: 100, maxWaiting: 100_000 }],
  });
  await paced.start();
  progress('paced run');
  await emulator.request({ op: 'schedule', arn: pacedArn, count: 2_500, perSecond: 500 });
  await until(
    async () => (await counter(paced.registry, 'sfn_bullmq_bridge_tokens_enqueued_total')) >= 2_500,
    30_000,
    'paced tokens enqueued',
  );
  const pacedP50 = await quantile(paced.registry, 'sfn_bullmq_bridge_enqueue_latency_seconds', 0.5);
  const pacedP99 = await quantile(paced.registry, 'sfn_bullmq_bridge_enqueue_latency_seconds', 0.99);
  rows.push({
    figure: 'added latency at 500 tasks/s',
    value: `p50 ${(pacedP50 * 1000).toFixed(2)} ms, p99 ${(pacedP99 * 1000).toFixed(2)} ms`,
    how: '2,500 tasks scheduled at 500/s (batches every 10 ms) while 100 polls wait; same histogram',
  });
  await paced.close();
  await queue.close();
  await emulator.close();
}

async function idle(redis: RedisServer, rows: Row[]): Promise<void> {
  // Real poll timeout: each poll is held 60 s, as AWS does, so the polls are truly idle.
  const emulator = await EmulatorChild.start(60_000);
  const names = Array.from({ length: 10 }, () => uniqueName('idle'));
  const arns = await emulator.request<string[]>({ op: 'createActivities', names });
  // Compiled JS under plain node (execArgv []), even when this file runs under tsx: users run
  // the bridge from dist, and tsx's loader would count towards the figure.
  const { child: bridgeProcess } = await IpcChild.start<IdleBridgeRequest>(
    'idle bridge',
    distEntry('idle-bridge'),
    {
      execArgv: [],
    },
  );
  try {
    const beforeImport = await bridgeProcess.request<IdleBridgeUsage>({ op: 'usage' });
    progress(`idle run: 10 ARNs x 100 polls in pid ${bridgeProcess.pid} (plain node, dist)`);
    await bridgeProcess.request({
      op: 'start',
      endpoint: emulator.endpoint,
      redisUrl: redis.url,
      prefix: uniqueName('bull'),
      activityArns: arns,
      polls: 100,
    });
    await until(
      async () => (await emulator.request<{ openPolls: number }>({ op: 'stats' })).openPolls === 1000,
      20_000,
      '1,000 polls open',
    );
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const before = await bridgeProcess.request<IdleBridgeUsage>({ op: 'usage' });
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const after = await bridgeProcess.request<IdleBridgeUsage>({ op: 'usage' });
    const open = (await emulator.request<{ openPolls: number }>({ op: 'stats' })).openPolls;
    const cpuUs = after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system;
    const wallMs = after.at - before.at;
    progress(
      `idle: ${mb(after.rss)} RSS (${mb(beforeImport.rss)} before importing the bridge), ${open} polls open`,
    );
    rows.push({
      figure: 'RSS, one process holding 1,000 idle polls (10 ARNs × 100)',
      value: `${mb(after.rss)} (the same process before importing @sfn-bullmq/bridge: ${mb(beforeImport.rss)}; ${open} polls open at the emulator)`,
      how: `process.memoryUsage().rss of a child process holding only the Bridge, compiled JS (dist/bridge/idle-bridge.js) under plain node ${process.version}, read over IPC after 2 s to settle and 10 s idle; emulator in another child process, poll timeout 60 s`,
    });
    rows.push({
      figure: 'CPU while holding them',
      value: `${((cpuUs / 1000 / wallMs) * 100).toFixed(2)} % of one core`,
      how: "process.cpuUsage() of the bridge's child process over 10 s of wall time, after 2 s to settle",
    });
    await bridgeProcess.request({ op: 'close' });
  } finally {
    await bridgeProcess.end();
    await emulator.close();
  }
}

const redis = await RedisServer.start();
const rows: Row[] = [];
try {
  if (MODE.idle) await idle(redis, rows);
  if (MODE.throughput) await throughput(redis, rows);
} finally {
  await redis.close();
}
console.log('\n| Figure | Value | How it was measured |\n| --- | --- | --- |');
for (const row of rows) console.log(`| ${row.figure} | ${row.value} | ${row.how} |`);
process.exit(0);
