// Emulator benchmark for a Map fan-out: 10,000 items on one activity (inline Map, MaxConcurrency 0, one
// activity Task per item), against a baseline in the same run: the same 10,000 tasks scheduled bare
// (scheduleTask, no state machine). Prints tasks handed out and completed per second (poll →
// SendTaskSuccess over HTTP from driver processes) and heap per open iteration / per bare task.
//
// The 10,000 items go into 4 executions of 2,500: one inline Map iteration writes 7 history events, and a
// history stops at 25,000 events (as on AWS, where a Map this large is a Distributed Map's job).
//
//   pnpm --filter @sfn-bullmq/bench exec tsx src/emulator/map-fan-out.ts [--items 10000] [--pollers 64] [--drivers 2]
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startEmulator, type Emulator } from '@sfn-bullmq/emulator';
import type { ChildMessage, DriveCommand, DriveResult } from './driver-protocol.js';

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1)
    throw new TypeError(`--${name}: expected a positive integer, got ${process.argv[index + 1]}`);
  return value;
}

const items = option('items', 10_000);
const pollers = option('pollers', 64);
const drivers = option('drivers', 2);
const PER_EXECUTION = 2_500;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

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

async function startDriver(): Promise<ChildProcess> {
  const child = fork(fileURLToPath(new URL('./throughput-driver.ts', import.meta.url)), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [message] = (await once(child, 'message')) as [ChildMessage];
  if (message.type !== 'ready') throw new Error('driver did not start');
  return child;
}

async function drive(children: ChildProcess[], command: DriveCommand): Promise<DriveResult[]> {
  return Promise.all(
    children.map(async (child) => {
      const result = once(child, 'message') as Promise<[ChildMessage]>;
      child.send({ ...command, pollers: Math.ceil(command.pollers / children.length) });
      const [message] = await result;
      if (message.type !== 'result') throw new Error('unexpected driver message');
      return message;
    }),
  );
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

interface Measured {
  scenario: string;
  /** Heap growth with every task scheduled and none started, per task. */
  heapPerTaskBytes: number;
  /** From the first poll to the last SendTaskSuccess answered. */
  seconds: number;
  completed: number;
}

/** Drives the activity until `done()` holds, in windows of 2 s; returns the wall time of the windows run. */
async function driveUntil(
  children: ChildProcess[],
  emulator: Emulator,
  activityArn: string,
  done: () => boolean,
): Promise<number> {
  const started = performance.now();
  while (!done()) {
    await drive(children, {
      type: 'drive',
      endpoint: emulator.endpoint,
      region: emulator.region,
      activityArn,
      pollers,
      durationMs: 2_000,
      driver: 'http',
    });
  }
  return (performance.now() - started) / 1000;
}

async function bare(emulator: Emulator, children: ChildProcess[]): Promise<Measured> {
  const activityArn = emulator.createActivity('bench-bare');
  const before = heapUsed();
  for (let index = 0; index < items; index += 1) emulator.scheduleTask(activityArn, `{"n":${index}}`);
  const heapPerTaskBytes = (heapUsed() - before) / items;
  const succeeded = () => emulator.stats().activities[activityArn]!.succeeded;
  const seconds = await driveUntil(children, emulator, activityArn, () => succeeded() >= items);
  return {
    scenario: 'bare tasks (scheduleTask)',
    heapPerTaskBytes,
    seconds,
    completed: succeeded(),
  };
}

async function map(emulator: Emulator, children: ChildProcess[]): Promise<Measured> {
  const activityArn = emulator.createActivity('bench-map');
  const { stateMachineArn } = (await call(emulator, 'CreateStateMachine', {
    name: 'bench-map',
    roleArn: 'arn:aws:iam::123456789012:role/bench',
    definition: JSON.stringify({
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          MaxConcurrency: 0,
          ItemProcessor: {
            StartAt: 'Work',
            States: { Work: { Type: 'Task', Resource: activityArn, TimeoutSeconds: 600, End: true } },
          },
          End: true,
        },
      },
    }),
  })) as { stateMachineArn: string };
  const before = heapUsed();
  for (let start = 0; start < items; start += PER_EXECUTION) {
    const slice = Array.from({ length: Math.min(PER_EXECUTION, items - start) }, (_, i) => ({
      n: start + i,
    }));
    await call(emulator, 'StartExecution', { stateMachineArn, input: JSON.stringify(slice) });
  }
  const scheduled = () => emulator.stats().activities[activityArn]!.scheduled;
  while (scheduled() < items) await sleep(10);
  const heapPerTaskBytes = (heapUsed() - before) / items;
  const succeeded = () => emulator.stats().activities[activityArn]!.succeeded;
  const seconds = await driveUntil(children, emulator, activityArn, () => succeeded() >= items);
  while ((emulator.stats().executions?.running ?? 0) > 0) await sleep(5);
  const executions = emulator.stats().executions!;
  if (executions.succeeded !== Math.ceil(items / PER_EXECUTION)) {
    throw new Error(`Map executions did not all succeed: ${JSON.stringify(executions)}`);
  }
  return {
    scenario: `Map, ${Math.ceil(items / PER_EXECUTION)} executions × ≤ ${PER_EXECUTION} items, MaxConcurrency 0`,
    heapPerTaskBytes,
    seconds,
    completed: succeeded(),
  };
}

const emulator = await startEmulator({ pollTimeoutMs: 1_000, maxPollsPerActivity: 1_000 });
const children = await Promise.all(Array.from({ length: drivers }, () => startDriver()));
try {
  const baseline = await bare(emulator, children);
  const fanOut = await map(emulator, children);
  const perSecond = (m: Measured) => m.completed / m.seconds;
  const lines = [
    `${items} tasks on one activity, ${pollers} pollers in ${drivers} driver processes (bare awsJson over HTTP, poll → SendTaskSuccess, in 2 s windows: the last window may idle, so tasks/s is a lower bound).`,
    '',
    '| scenario | tasks completed | seconds | tasks/s | heap per open task (bytes) |',
    '| --- | --- | --- | --- | --- |',
    ...[baseline, fanOut].map(
      (m) =>
        `| ${m.scenario} | ${m.completed} | ${m.seconds.toFixed(1)} | ${Math.round(perSecond(m))} | ${Math.round(m.heapPerTaskBytes)} |`,
    ),
    '',
    `Map / bare: tasks/s × ${(perSecond(fanOut) / perSecond(baseline)).toFixed(2)}, heap per open task × ${(fanOut.heapPerTaskBytes / baseline.heapPerTaskBytes).toFixed(1)} (an open iteration holds its BranchRun, its TaskRun and its share of the history).`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  for (const child of children) child.kill();
  await emulator.close();
}
