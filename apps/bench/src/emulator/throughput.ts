// Emulator throughput benchmark: tasks and executions completed per second through the emulator
// alone, driven over HTTP from child processes (bare awsJson requests, or the SDK with `--driver sdk`),
// with and without 100,000 open tasks held.
//
//   pnpm --filter @sfn-bullmq/bench exec tsx src/emulator/throughput.ts [--duration-ms 10000] [--pollers 64] [--drivers 2] [--held 100000] [--hold-via-http] [--driver http|sdk]
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startEmulator, type Emulator } from '@sfn-bullmq/emulator';
import type { ChildMessage, DriveCommand, DriveResult } from './driver-protocol.js';

interface Row {
  scenario: string;
  held: number;
  pollers: number;
  seconds: number;
  completed: number;
  perSecond: number;
  /** Emulator-process CPU per completed item, µs. */
  serverCpuMicros: number;
  driverCpuMicros: number;
  errors: string;
}

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isFinite(value) || value < 0)
    throw new TypeError(`--${name}: expected a number, got ${process.argv[index + 1]}`);
  return value;
}

const durationMs = option('duration-ms', 10_000);
const pollers = option('pollers', 64);
/** Driver processes; the SDK, not the emulator, is the costlier side of each call (see the CPU columns). */
const drivers = Math.max(1, option('drivers', 2));
const heldCount = option('held', 100_000);
const holdViaHttp = process.argv.includes('--hold-via-http');
/**
 * `http` by default: with the SDK, the driver spent 3–5× the emulator's CPU per item on these shared cores,
 * so the rows measured the driver. `--driver sdk` drives it as workers do.
 */
const driver: 'sdk' | 'http' = process.argv.includes('--driver')
  ? process.argv[process.argv.indexOf('--driver') + 1] === 'sdk'
    ? 'sdk'
    : 'http'
  : 'http';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function memory(): { rss: number; heap: number } {
  gc();
  gc();
  const usage = process.memoryUsage();
  return { rss: usage.rss, heap: usage.heapUsed };
}

async function startDriver(): Promise<ChildProcess> {
  const child = fork(fileURLToPath(new URL('./throughput-driver.ts', import.meta.url)), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [message] = (await once(child, 'message')) as [ChildMessage];
  if (message.type !== 'ready') throw new Error('driver did not start');
  return child;
}

async function runOne(child: ChildProcess, command: DriveCommand): Promise<DriveResult> {
  const result = once(child, 'message') as Promise<[ChildMessage]>;
  child.send(command);
  const [message] = await result;
  if (message.type !== 'result') throw new Error('unexpected driver message');
  return message;
}

/** Runs `command` on every driver at once, splitting pollers and starters between them; sums the results. */
async function runDriver(children: ChildProcess[], command: DriveCommand): Promise<DriveResult> {
  const share = (total: number | undefined, index: number): number | undefined =>
    total === undefined
      ? undefined
      : Math.floor(total / children.length) + (index < total % children.length ? 1 : 0);
  const results = await Promise.all(
    children.map((child, index) => {
      const part: DriveCommand = { ...command, pollers: share(command.pollers, index)! };
      if (command.starters !== undefined) part.starters = Math.max(1, share(command.starters, index)!);
      if (command.maxInFlight !== undefined)
        part.maxInFlight = Math.max(1, share(command.maxInFlight, index)!);
      return runOne(child, part);
    }),
  );
  const errors: Record<string, number> = {};
  for (const result of results) {
    for (const [name, count] of Object.entries(result.errors)) errors[name] = (errors[name] ?? 0) + count;
  }
  return {
    type: 'result',
    completed: results.reduce((sum, result) => sum + result.completed, 0),
    started: results.reduce((sum, result) => sum + result.started, 0),
    errors,
    elapsedMs: Math.max(...results.map((result) => result.elapsedMs)),
    cpuMicros: results.reduce((sum, result) => sum + result.cpuMicros, 0),
  };
}

/** Keeps `backlog` tasks waiting on the activity by scheduling one for each that closes. */
function keepTasksQueued(emulator: Emulator, activityArn: string, backlog: number): () => void {
  let stopped = false;
  const scheduleOne = (): void => {
    if (stopped) return;
    emulator
      .scheduleTask(activityArn, '{"work":1}')
      .outcome.then(scheduleOne)
      .catch(() => undefined);
  };
  for (let index = 0; index < backlog; index += 1) scheduleOne();
  return () => {
    stopped = true;
  };
}

/** The drive command of every run: the drivers' poll loops on `activityArn` for `windowMs`. */
function driveCommand(emulator: Emulator, activityArn: string, windowMs = durationMs): DriveCommand {
  return {
    type: 'drive',
    endpoint: emulator.endpoint,
    region: emulator.region,
    activityArn,
    pollers,
    durationMs: windowMs,
    driver,
  };
}

/** Runs the drivers once, measuring this process (the emulator's) around it: wall time and CPU. */
async function measuredDrive(
  child: ChildProcess[],
  command: DriveCommand,
): Promise<{ result: DriveResult; seconds: number; serverCpu: number }> {
  const startedAt = performance.now();
  const cpuBefore = process.cpuUsage();
  const result = await runDriver(child, command);
  const seconds = (performance.now() - startedAt) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { result, seconds, serverCpu: cpu.user + cpu.system };
}

async function tasksScenario(emulator: Emulator, child: ChildProcess[], held: number): Promise<Row> {
  const activityArn = emulator.createActivity(`bench-tasks-${held}`);
  const stop = keepTasksQueued(emulator, activityArn, pollers * 8);
  const before = emulator.stats().activities[activityArn]!.succeeded;
  const { result, seconds, serverCpu } = await measuredDrive(child, driveCommand(emulator, activityArn));
  const completed = emulator.stats().activities[activityArn]!.succeeded - before;
  stop();
  return row('tasks (scheduleTask → poll → SendTaskSuccess)', held, seconds, completed, result, serverCpu);
}

async function executionsScenario(emulator: Emulator, child: ChildProcess[], held: number): Promise<Row> {
  const activityArn = emulator.createActivity(`bench-executions-${held}`);
  const created = (await call(emulator, 'CreateStateMachine', {
    name: `bench-machine-${held}`,
    roleArn: 'arn:aws:iam::123456789012:role/bench',
    definition: JSON.stringify({
      StartAt: 'Work',
      States: { Work: { Type: 'Task', Resource: activityArn, TimeoutSeconds: 300, End: true } },
    }),
  })) as { stateMachineArn: string };
  const before = emulator.stats().executions?.succeeded ?? 0;
  const { result, seconds, serverCpu } = await measuredDrive(child, {
    ...driveCommand(emulator, activityArn),
    stateMachineArn: created.stateMachineArn,
    starters: 16,
    maxInFlight: pollers * 8,
  });
  const completed = (emulator.stats().executions?.succeeded ?? 0) - before;
  return row(
    'executions (StartExecution → poll → SendTaskSuccess)',
    held,
    seconds,
    completed,
    result,
    serverCpu,
  );
}

function row(
  scenario: string,
  held: number,
  seconds: number,
  completed: number,
  result: DriveResult,
  serverCpu: number,
): Row {
  const errors = Object.entries(result.errors)
    .map(([name, count]) => `${name}×${count}`)
    .join(', ');
  return {
    scenario,
    held,
    pollers,
    seconds: round(seconds, 1),
    completed,
    perSecond: Math.round(completed / seconds),
    serverCpuMicros: completed > 0 ? Math.round(serverCpu / completed) : 0,
    driverCpuMicros: completed > 0 ? Math.round(result.cpuMicros / completed) : 0,
    errors: errors === '' ? 'none' : errors,
  };
}

/** A control call straight to the server, as the SDK would send it (no signing needed by the emulator). */
async function call(emulator: Emulator, operation: string, body: unknown): Promise<unknown> {
  const response = await fetch(emulator.endpoint, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.0',
      'X-Amz-Target': `AWSStepFunctions.${operation}`,
    },
    body: JSON.stringify(body),
  });
  const parsed = await response.json();
  if (!response.ok) throw new Error(`${operation}: ${JSON.stringify(parsed)}`);
  return parsed;
}

/**
 * Schedules `count` tasks with long clocks and starts them all (tokens taken, never answered).
 * By default they are started in-process through the broker's poll path (the same dispatch code
 * as an HTTP poll, minus the socket), so the step takes seconds even on a busy machine;
 * `--hold-via-http` starts them with real GetActivityTask calls instead.
 */
async function holdOpenTasks(emulator: Emulator, count: number, viaHttp: boolean): Promise<void> {
  const activityArn = emulator.createActivity('bench-held');
  for (let index = 0; index < count; index += 1) {
    emulator.scheduleTask(activityArn, `{"held":${index}}`, { timeoutSeconds: 3600, heartbeatSeconds: 600 });
  }
  if (viaHttp) {
    let started = 0;
    while (started < count) {
      const size = Math.min(500, count - started);
      const answers = await Promise.all(
        Array.from({ length: size }, () =>
          call(emulator, 'GetActivityTask', { activityArn, workerName: 'holder' }),
        ),
      );
      started += answers.filter(
        (answer) => (answer as { taskToken?: string }).taskToken !== undefined,
      ).length;
    }
  } else {
    emulator.openDiscardingPolls(activityArn, count, 'holder');
  }
  const stats = emulator.stats().activities[activityArn]!;
  if (stats.started !== count || stats.waiting !== 0) {
    throw new Error(`held tasks not all started: ${JSON.stringify(stats)}`);
  }
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function markdown(rows: Row[]): string {
  const lines = [
    '| scenario | open tasks held | pollers | window (s) | completed | per second | emulator CPU per item | implied emulator capacity (1 core) | driver CPU per item (all drivers) | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.scenario} | ${r.held.toLocaleString('en')} | ${r.pollers} | ${r.seconds} | ${r.completed.toLocaleString('en')} | ${r.perSecond.toLocaleString('en')} | ${r.serverCpuMicros} µs | ${capacity(r.serverCpuMicros)} | ${r.driverCpuMicros} µs | ${r.errors} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const loadAtStart = loadavg()[0]!.toFixed(1);
  // The default 60 s poll hold would keep the driver's last polls open after each window; 1 s ends them quickly.
  const emulator = await startEmulator({ pollTimeoutMs: 1000 });
  const child = await Promise.all(Array.from({ length: drivers }, () => startDriver()));
  const rows: Row[] = [];
  try {
    // Warm-up (JIT, sockets), not reported.
    await runDriver(child, driveCommand(emulator, emulator.createActivity('bench-warmup'), 1500));
    rows.push(await tasksScenario(emulator, child, 0));
    rows.push(await executionsScenario(emulator, child, 0));
    const before = memory();
    const heldStartedAt = performance.now();
    await holdOpenTasks(emulator, heldCount, holdViaHttp);
    const heldSeconds = (performance.now() - heldStartedAt) / 1000;
    const after = memory();
    rows.push(await tasksScenario(emulator, child, heldCount));
    rows.push(await executionsScenario(emulator, child, heldCount));
    console.log(markdown(rows));
    console.log();
    console.log('| memory for open tasks | total | per open task |');
    console.log('| --- | ---: | ---: |');
    const perTask = (bytes: number): string => (heldCount > 0 ? `${Math.round(bytes / heldCount)} B` : 'n/a');
    console.log(
      `| heap used (after GC) | ${mb(after.heap - before.heap)} | ${perTask(after.heap - before.heap)} |`,
    );
    console.log(`| RSS | ${mb(after.rss - before.rss)} | ${perTask(after.rss - before.rss)} |`);
    console.log();
    console.log(
      `Measured: emulator in this process (pollTimeoutMs 1000), ${drivers} child process(es) driving it ` +
        (driver === 'sdk'
          ? `with @aws-sdk/client-sfn over HTTP on 127.0.0.1 (${pollers} poll loops in all on an SDK polling client, Send* on an SDK send client; `
          : `with bare awsJson 1.0 requests (unsigned, keep-alive; \`--driver sdk\` uses @aws-sdk/client-sfn, whose CPU per call was several times the emulator's and made the driver the bottleneck) over HTTP on 127.0.0.1 (${pollers} poll loops in all; `) +
        `executions started by 16 StartExecution loops with at most ${pollers * 8} in flight). "completed" counts ` +
        `SendTaskSuccess (tasks) or SUCCEEDED executions from the emulator's own stats while the drivers ran ` +
        `(${durationMs / 1000} s, plus the calls still in flight at its end: the window column, which "per second" divides by), after a 1.5 s warm-up; "CPU per item" is process.cpuUsage() over the window divided by completed items, for the emulator process (which also runs the scheduleTask top-up in the tasks rows) and the driver. ${heldCount.toLocaleString('en')} held tasks: scheduled with ` +
        `TimeoutSeconds 3600 and HeartbeatSeconds 600, started ${holdViaHttp ? 'by GetActivityTask over HTTP, 500 concurrent' : "in-process through the broker's poll path"} ` +
        `(${round(heldSeconds, 1)} s) and never answered; memory is the delta of process.memoryUsage() after two ` +
        `forced GCs around that step. Node ${process.version}, ${cpus().length} CPUs, ` +
        `load average at start ${loadAtStart} and at end ${loadavg()[0]!.toFixed(1)} (the machine is shared).`,
    );
  } finally {
    for (const driver of child) driver.disconnect();
    await emulator.close();
  }
}

/** Items per second one core could serve at the measured CPU per item (the machine is shared, so wall-clock rates understate it). */
function capacity(micros: number): string {
  return micros > 0 ? `${Math.round(1_000_000 / micros).toLocaleString('en')}/s` : 'n/a';
}

function mb(bytes: number): string {
  return `${round(bytes / 1024 / 1024, 1)} MiB`;
}

await main();
