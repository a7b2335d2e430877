// Horizontal scaling: completed tasks per second with 1, 2 and 4 worker processes and 1 and 2
// bridge processes on one Redis, with a handler doing fixed CPU work. Printed, never asserted.
//
// Run: pnpm --filter @sfn-bullmq/bench exec tsx src/scaling/scaling.ts [--size tiny]
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startEmulator, type Emulator } from '@sfn-bullmq/emulator';
import { RedisServer } from '@sfn-bullmq/test-support';
import { Redis } from 'ioredis';
import { CLK_TCK, machineBusyTicks, processCpuTicks } from '../proc-stat.js';

/** Under tsx (this module as `.ts`) the children need the tsx loader; from dist they run plain. */
const TS = import.meta.url.endsWith('.ts');
const CHILD = fileURLToPath(new URL(TS ? './scaling-child.ts' : './scaling-child.js', import.meta.url));
const CHILD_ARGV = TS ? ['--import', 'tsx'] : [];
const PREFIX = '{scaling}';

export interface ScalingBenchOptions {
  /** 'tiny' runs two short configurations (a smoke test); 'default' the whole grid. @default 'default' */
  size?: 'tiny' | 'default';
  /** CPU work per task, ms. @default 5 */
  cpuMs?: number;
  /** Measured window per configuration, ms. @default 8_000 ('tiny': 1_000) */
  measureMs?: number;
  /** Polls per bridge. @default 100 */
  pollsPerBridge?: number;
  /** Handlers running at once per worker process. @default 4 */
  concurrency?: number;
  log?: (line: string) => void;
}

export interface ScalingRow {
  bridges: number;
  workers: number;
  /** Tasks closed successfully per second in the measured window. */
  tasksPerSecond: number;
  /** CPU used per second of wall time (1.0 = one core busy), by role. */
  cpu: { emulator: number; bridges: number; workers: number; redis: number; total: number };
  /** Cores busy on the whole machine in the window (/proc/stat), ours and everything else's. */
  machineBusy: number;
  /** 1-minute load average at the end of the window. */
  loadAverage: number;
}

export interface ScalingBenchResult {
  markdown: string;
  rows: ScalingRow[];
}

const DEFAULT_GRID: Array<[bridges: number, workers: number]> = [
  [1, 1],
  [1, 2],
  [1, 4],
  [2, 1],
  [2, 2],
  [2, 4],
];
const TINY_GRID: Array<[number, number]> = [
  [1, 1],
  [2, 2],
];

export async function runScalingBench(options: ScalingBenchOptions = {}): Promise<ScalingBenchResult> {
  const size = options.size ?? 'default';
  const cpuMs = options.cpuMs ?? 5;
  const measureMs = options.measureMs ?? (size === 'tiny' ? 1_000 : 8_000);
  const warmUpMs = size === 'tiny' ? 500 : 2_000;
  const polls = options.pollsPerBridge ?? 100;
  const concurrency = options.concurrency ?? 4;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const grid = size === 'tiny' ? TINY_GRID : DEFAULT_GRID;

  const rows: ScalingRow[] = [];
  for (const [bridges, workers] of grid) {
    log(`scaling: ${bridges} bridge(s) × ${workers} worker(s)…`);
    rows.push(await measure({ bridges, workers, cpuMs, measureMs, warmUpMs, polls, concurrency }));
    const row = rows[rows.length - 1]!;
    log(`scaling: ${bridges} × ${workers}: ${row.tasksPerSecond.toFixed(0)} tasks/s`);
  }
  return { markdown: render(rows, { cpuMs, measureMs, polls, concurrency }), rows };
}

interface MeasureOptions {
  bridges: number;
  workers: number;
  cpuMs: number;
  measureMs: number;
  warmUpMs: number;
  polls: number;
  concurrency: number;
}

/** One configuration on a fresh Redis and emulator: a closed loop keeps tasks outstanding, completions are counted. */
async function measure(options: MeasureOptions): Promise<ScalingRow> {
  const redis = await RedisServer.start();
  let emulator: Emulator | undefined;
  const children: ChildProcess[] = [];
  let running = true;
  try {
    emulator = await startEmulator({ pollTimeoutMs: 5_000, activities: ['scaling'] });
    const activityArn = emulator.activityArn('scaling');
    const common = {
      REDIS_URL: redis.url,
      SFN_ENDPOINT: emulator.endpoint,
      ACTIVITY_ARN: activityArn,
      QUEUE: 'scaling',
      PREFIX,
    };
    const starting: Array<Promise<void>> = [];
    for (let i = 1; i <= options.bridges; i += 1) {
      starting.push(
        start(children, { ...common, ROLE: 'bridge', NAME: `bridge-${i}`, POLLS: String(options.polls) }),
      );
    }
    for (let i = 1; i <= options.workers; i += 1) {
      starting.push(
        start(children, {
          ...common,
          ROLE: 'worker',
          NAME: `worker-${i}`,
          CPU_MS: String(options.cpuMs),
          CONCURRENCY: String(options.concurrency),
        }),
      );
    }
    await Promise.all(starting);

    // Closed loop: as many tasks outstanding as polls plus a backlog, each completion schedules the next.
    let completed = 0;
    const outstanding = options.bridges * options.polls + 200;
    const loop = (): void => {
      const { outcome } = emulator!.scheduleTask(activityArn, '{"n":1}');
      void outcome.then((result) => {
        if (result.kind === 'succeeded') completed += 1;
        if (running) loop();
      });
    };
    for (let i = 0; i < outstanding; i += 1) loop();

    await sleep(options.warmUpMs);
    const redisPid = await readRedisPid(redis);
    const pids = children.map((child) => child.pid ?? 0);
    const before = {
      completed,
      at: performance.now(),
      self: process.cpuUsage(),
      children: pids.map(processCpuTicks),
      redis: redisPid === undefined ? 0 : processCpuTicks(redisPid),
      machine: machineBusyTicks(),
    };
    await sleep(options.measureMs);
    const seconds = (performance.now() - before.at) / 1000;
    const done = completed - before.completed;
    const self = process.cpuUsage(before.self);
    const childTicks = pids.map((pid, i) => processCpuTicks(pid) - before.children[i]!);
    const perSecond = (ticks: number): number => ticks / CLK_TCK / seconds;
    const bridgeTicks = childTicks.slice(0, options.bridges).reduce((a, b) => a + b, 0);
    const workerTicks = childTicks.slice(options.bridges).reduce((a, b) => a + b, 0);
    const cpu = {
      emulator: (self.user + self.system) / 1e6 / seconds,
      bridges: perSecond(bridgeTicks),
      workers: perSecond(workerTicks),
      redis: redisPid === undefined ? 0 : perSecond(processCpuTicks(redisPid) - before.redis),
      total: 0,
    };
    cpu.total = cpu.emulator + cpu.bridges + cpu.workers + cpu.redis;
    const machine = machineBusyTicks();
    return {
      bridges: options.bridges,
      workers: options.workers,
      tasksPerSecond: done / seconds,
      cpu,
      machineBusy: perSecond(machine - before.machine),
      loadAverage: loadavg()[0] ?? 0,
    };
  } finally {
    running = false;
    await Promise.allSettled(children.map((child) => stop(child)));
    await emulator?.close();
    await redis.close();
  }
}

function start(children: ChildProcess[], env: Record<string, string>): Promise<void> {
  const child = spawn(process.execPath, [...CHILD_ARGV, CHILD], {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('ready')) resolve();
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`${env['NAME']} exited at start (${code ?? signal})`)),
    );
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function msPerTask(cores: number, row: ScalingRow): string {
  return row.tasksPerSecond > 0 ? ((cores / row.tasksPerSecond) * 1000).toFixed(1) : 'n/a';
}

/** The pid of this run's redis-server, from its own INFO (a search by command line could find another run's). */
async function readRedisPid(redis: RedisServer): Promise<number | undefined> {
  const client = new Redis(redis.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    const pid = Number(/^process_id:(\d+)/m.exec(await client.info('server'))?.[1]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  } finally {
    client.disconnect();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function render(
  rows: readonly ScalingRow[],
  settings: { cpuMs: number; measureMs: number; polls: number; concurrency: number },
): string {
  const cores = cpus().length;
  const base = rows.find((row) => row.bridges === 1 && row.workers === 1)?.tasksPerSecond;
  const lines = [
    `Handler: ${settings.cpuMs} ms of busy CPU per task. Each configuration on a fresh private Redis and an ` +
      `in-process emulator (tasks scheduled directly, ${settings.polls} polls per bridge, a closed loop keeping ` +
      `every poll fed plus a backlog of 200); bridges and workers are separate processes (worker concurrency ` +
      `${settings.concurrency}). Completed tasks counted over ${settings.measureMs / 1000} s after a warm-up. ` +
      `CPU is cores used per second of wall time, by role (the emulator is the benchmark process). Machine: ` +
      `${cores} cores.`,
    '',
    '| bridges | workers | tasks/s | vs 1 × 1 | CPU: workers | bridges | emulator | redis | ours | machine busy | load avg | CPU ms per task: workers | bridges | all |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of rows) {
    const ratio = base === undefined || base === 0 ? 'n/a' : `${(row.tasksPerSecond / base).toFixed(2)}×`;
    lines.push(
      `| ${row.bridges} | ${row.workers} | ${row.tasksPerSecond.toFixed(0)} | ${ratio} | ` +
        `${row.cpu.workers.toFixed(2)} | ${row.cpu.bridges.toFixed(2)} | ${row.cpu.emulator.toFixed(2)} | ` +
        `${row.cpu.redis.toFixed(2)} | ${row.cpu.total.toFixed(2)} | ${row.machineBusy.toFixed(2)} | ` +
        `${row.loadAverage.toFixed(1)} | ${msPerTask(row.cpu.workers, row)} | ${msPerTask(row.cpu.bridges, row)} | ` +
        `${msPerTask(row.cpu.total, row)} |`,
    );
  }
  const ideal = 1000 / settings.cpuMs;
  const perTask = rows
    .filter((row) => row.tasksPerSecond > 0)
    .map((row) => (row.cpu.total / row.tasksPerSecond) * 1000)
    .sort((a, b) => a - b);
  const medianMs = perTask[Math.floor(perTask.length / 2)];
  lines.push(
    '',
    `One worker process runs its handlers on one core, so it cannot pass ${ideal.toFixed(0)} tasks/s ` +
      `(1000 ms / ${settings.cpuMs} ms) whatever its concurrency; each added worker process adds a core's worth ` +
      `only while a core is free. With ${cores} cores shared by the emulator, the bridges, Redis and the ` +
      `workers, "machine busy" shows when the machine is full (${cores}.00): past that point more processes ` +
      `cannot add throughput here, only split the same cores; "ours" below "machine busy" is CPU taken by ` +
      `other programs during the run, and a load average above ${cores} means runnable work was waiting. ` +
      `These figures say nothing about a machine with more cores.`,
  );
  if (medianMs !== undefined) {
    lines.push(
      '',
      `CPU per completed task, all our processes together: median ${medianMs.toFixed(1)} ms ` +
        `(${settings.cpuMs} ms of it the handler). On ${cores} otherwise idle cores that caps this setup near ` +
        `${((cores * 1000) / medianMs).toFixed(0)} tasks/s, however many bridges and workers run; ` +
        `more processes only help up to the point where the cores are full.`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const tiny = process.argv.includes('--size') && process.argv[process.argv.indexOf('--size') + 1] === 'tiny';
  const result = await runScalingBench({ size: tiny ? 'tiny' : 'default' });
  process.stdout.write(`${result.markdown}\n`);
}
