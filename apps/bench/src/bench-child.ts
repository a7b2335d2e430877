// The entry of every benchmark child process: it hosts whichever roles the parent asks
// for over IPC (emulator and task driver, bridge, worker, peers, bare baselines).
// Each role imports its modules when started, so a process's memory is that of its roles.
import { Agent as HttpAgent } from 'node:http';
import type { Session } from 'node:inspector/promises';
import { createRequire } from 'node:module';
import type { Emulator, EmulatorFaults } from '@sfn-bullmq/emulator';
import { pino } from 'pino';
import { LatencySamples, wallClockMs } from './latency-samples.js';
import { serveParent, type ChildRequest } from './child-protocol.js';

const REGION = 'us-east-1';

const CREDENTIALS = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const silent = pino({ level: 'silent' });

/** What every role's handler does: note the pickup latency from the `t` the driver put in the input. */
const pickup = new LatencySamples();
let handled = 0;
/** 'error' events step-function-worker emitted, returned by 'pickup.take'. */
let peerErrors = 0;
function onHandlerStart(input: unknown): void {
  handled += 1;
  const t = (input as { t?: unknown } | null)?.t;
  if (typeof t === 'number') pickup.record(wallClockMs() - t);
}

type Closer = () => Promise<void>;
const closers: Closer[] = [];
let emulator: Emulator | undefined;
const driverTimers = new Set<NodeJS.Timeout>();
let profiler: Session | undefined;

interface StepFunctionWorkerLike {
  on(event: string, listener: (...args: unknown[]) => void): void;
  close(callback: (error?: unknown) => void): void;
}
type StepFunctionWorkerCtor = new (options: {
  activityArn: string;
  workerName?: string;
  concurrency: number;
  fn: (input: unknown, callback: (error: unknown, output?: unknown) => void) => void;
  logger: Record<'debug' | 'info' | 'warn' | 'error', (...args: unknown[]) => void>;
  awsConfig: Record<string, unknown>;
}) => StepFunctionWorkerLike;

const handlers: Record<string, (args: Record<string, unknown>) => unknown> = {
  async 'emulator.start'(args) {
    const { startEmulator } = await import('@sfn-bullmq/emulator');
    emulator = await startEmulator({
      pollTimeoutMs: args.pollTimeoutMs as number,
      faults: (args.faults as Partial<EmulatorFaults> | undefined) ?? {},
    });
    const arns = (args.activities as string[]).map((name) => emulator!.createActivity(name));
    const current = emulator;
    closers.push(() => current.close());
    return { endpoint: emulator.endpoint, arns };
  },

  /**
   * Schedules `count` tasks at `ratePerSecond` (Infinity: all at once), each with its scheduling
   * time in the input. The driver lives in the emulator's process, so no HTTP hop limits it.
   */
  async 'emulator.schedule'(args) {
    const target = requireEmulator();
    const arn = args.arn as string;
    const count = args.count as number;
    const ratePerSecond = args.ratePerSecond as number | null;
    const startedAt = wallClockMs();
    if (ratePerSecond === null) {
      // Task clocks, for benchmarks that need tasks to close while they wait (queued heartbeats).
      const clocks =
        (args.clocks as { timeoutSeconds?: number; heartbeatSeconds?: number } | undefined) ?? {};
      for (let i = 0; i < count; i += 1) target.scheduleTask(arn, `{"t":${wallClockMs()}}`, clocks);
      return { scheduled: count, startedAt };
    }
    let scheduled = 0;
    await new Promise<void>((resolve) => {
      const tick = (): void => {
        const due = Math.min(count, Math.floor(((wallClockMs() - startedAt) / 1000) * ratePerSecond) + 1);
        while (scheduled < due) {
          target.scheduleTask(arn, `{"t":${wallClockMs()}}`);
          scheduled += 1;
        }
        if (scheduled >= count) {
          clearInterval(timer);
          driverTimers.delete(timer);
          resolve();
        }
      };
      const timer = setInterval(tick, 2);
      driverTimers.add(timer);
      tick();
    });
    return { scheduled, startedAt };
  },

  /** Waits until `count` tasks of the activity are closed or lost; returns when that happened. */
  async 'emulator.waitClosed'(args) {
    const target = requireEmulator();
    const arn = args.arn as string;
    const count = args.count as number;
    const deadline = Date.now() + (args.timeoutMs as number);
    for (;;) {
      const stats = target.stats().activities[arn];
      const closed = stats === undefined ? 0 : stats.succeeded + stats.failed + stats.lostTokens.total;
      if (closed >= count || Date.now() > deadline) {
        return { doneAt: wallClockMs(), closed, timedOut: closed < count, stats };
      }
      await sleep(2);
    }
  },

  /**
   * Waits until `polls` polls are open on the activity, and fails past the deadline: every figure
   * is labelled with the polls its set-up asked for, so fewer open would mislabel it.
   */
  async 'emulator.waitOpenPolls'(args) {
    const target = requireEmulator();
    const arn = args.arn as string;
    const polls = args.polls as number;
    const deadline = Date.now() + (args.timeoutMs as number);
    for (;;) {
      const open = target.stats().activities[arn]?.openPolls ?? 0;
      if (open >= polls) return { open };
      if (Date.now() > deadline)
        throw new Error(`${open} of ${polls} polls open on ${arn} after ${args.timeoutMs as number} ms`);
      await sleep(10);
    }
  },

  'emulator.stats'() {
    return requireEmulator().stats();
  },

  async 'bridge.start'(args) {
    const { Bridge } = await import('@sfn-bullmq/bridge');
    const bridge = new Bridge({
      connection: { host: '127.0.0.1', port: args.redisPort as number },
      sfn: { endpoint: args.endpoint as string, region: REGION, credentials: CREDENTIALS },
      workerName: 'bench-bridge',
      logger: silent,
      activities: (args.activities as { arn: string; polls: number; maxWaiting?: number }[]).map((a) => ({
        activityArn: a.arn,
        polls: a.polls,
        ...(a.maxWaiting === undefined ? {} : { maxWaiting: a.maxWaiting }),
      })),
    });
    await bridge.start();
    closers.push(() => bridge.close({ force: true }));
    return { state: bridge.state };
  },

  async 'worker.start'(args) {
    const { ActivityWorker } = await import('@sfn-bullmq/worker');
    const worker = new ActivityWorker(
      args.queueName as string,
      (input: unknown) => {
        onHandlerStart(input);
        return { ok: true };
      },
      {
        connection: { host: '127.0.0.1', port: args.redisPort as number, maxRetriesPerRequest: null },
        sfn: { endpoint: args.endpoint as string, region: REGION, credentials: CREDENTIALS },
        concurrency: args.concurrency as number,
        logger: silent,
      },
    );
    await worker.waitUntilReady();
    closers.push(() => worker.close({ force: true }));
    return {};
  },

  /** The peer library, `step-function-worker` 2.1.0 (aws-sdk v2): N poolers, each polls then runs its task. */
  'peer.start'(args) {
    process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = '1';
    const require = createRequire(import.meta.url);
    const StepFunctionWorker = require('step-function-worker') as StepFunctionWorkerCtor;
    const concurrency = args.concurrency as number;
    const noop = (): void => undefined;
    const worker = new StepFunctionWorker({
      activityArn: args.arn as string,
      workerName: 'bench-peer',
      concurrency,
      fn: (input, callback) => {
        onHandlerStart(input);
        callback(null, { ok: true });
      },
      logger: { debug: noop, info: noop, warn: noop, error: noop },
      awsConfig: {
        endpoint: args.endpoint,
        region: REGION,
        ...CREDENTIALS,
        // Sized like our polling client (sockets above polls, 75 s timeout), so the peer is not held back by defaults.
        httpOptions: {
          agent: new HttpAgent({ keepAlive: true, maxSockets: concurrency + 16 }),
          timeout: 75_000,
        },
      },
    });
    worker.on('error', () => {
      peerErrors += 1;
    });
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          // Its close waits for every open poll to return (up to the poll timeout), and removes every
          // listener: a poll failing after that would throw an unhandled 'error', so listen again.
          worker.close(() => resolve());
          worker.on('error', noop);
          setTimeout(resolve, 3_000).unref();
        }),
    );
    return {};
  },

  /** The bare baseline: N loops of GetActivityTask → handler → SendTaskSuccess, SDK v3, one process. */
  async 'pollers.start'(args) {
    const { GetActivityTaskCommand, SendTaskSuccessCommand } = await import('@aws-sdk/client-sfn');
    const { sdkPollingClient, sdkSendClient } = await import('./sdk-activity-clients.js');
    const polls = args.polls as number;
    const sfn = { endpoint: args.endpoint as string, region: REGION, credentials: CREDENTIALS };
    const pollClient = sdkPollingClient(sfn, polls);
    const sendClient = sdkSendClient(sfn, polls);
    let running = true;
    const loops: Promise<void>[] = [];
    for (let i = 0; i < polls; i += 1) {
      loops.push(
        (async () => {
          while (running) {
            try {
              const task = await pollClient.send(
                new GetActivityTaskCommand({ activityArn: args.arn as string, workerName: `bare-${i}` }),
              );
              if (task.taskToken === undefined) continue;
              onHandlerStart(JSON.parse(task.input ?? '{}'));
              await sendClient.send(
                new SendTaskSuccessCommand({ taskToken: task.taskToken, output: '{"ok":true}' }),
              );
            } catch {
              if (running) await sleep(100);
            }
          }
        })(),
      );
    }
    closers.push(async () => {
      running = false;
      pollClient.destroy();
      sendClient.destroy();
      await Promise.race([Promise.allSettled(loops), sleep(1_000)]);
    });
    return {};
  },

  /** Bare BullMQ: a Worker with an empty processor. */
  async 'bullmq.worker'(args) {
    const { Worker } = await import('bullmq');
    const worker = new Worker(
      args.queueName as string,
      async (job) => {
        onHandlerStart(job.data);
        return Promise.resolve({ ok: true });
      },
      {
        connection: { host: '127.0.0.1', port: args.redisPort as number, maxRetriesPerRequest: null },
        concurrency: args.concurrency as number,
        removeOnComplete: { count: 10_000 },
      },
    );
    worker.on('error', () => undefined);
    await worker.waitUntilReady();
    closers.push(() => worker.close(true));
    return {};
  },

  /** Bare BullMQ driver: `count` adds at `ratePerSecond` (null: as fast as 100 adds in flight go). */
  async 'bullmq.drive'(args) {
    const { Queue } = await import('bullmq');
    const queue = new Queue(args.queueName as string, {
      connection: { host: '127.0.0.1', port: args.redisPort as number },
    });
    const count = args.count as number;
    const ratePerSecond = args.ratePerSecond as number | null;
    const startedAt = wallClockMs();
    const options = { removeOnComplete: { count: 10_000 } };
    try {
      if (ratePerSecond === null) {
        let next = 0;
        await Promise.all(
          Array.from({ length: 100 }, async () => {
            while (next < count) {
              next += 1;
              await queue.add('bench', { t: wallClockMs() }, options);
            }
          }),
        );
      } else {
        const adds: Promise<unknown>[] = [];
        let added = 0;
        while (added < count) {
          const due = Math.min(count, Math.floor(((wallClockMs() - startedAt) / 1000) * ratePerSecond) + 1);
          while (added < due) {
            adds.push(queue.add('bench', { t: wallClockMs() }, options));
            added += 1;
          }
          await sleep(2);
        }
        await Promise.all(adds);
      }
    } finally {
      await queue.close();
    }
    return { scheduled: count, startedAt };
  },

  /** Waits until handlers started `count` times (for baselines with no emulator to count closes). */
  async 'handled.wait'(args) {
    const deadline = Date.now() + (args.timeoutMs as number);
    while (handled < (args.count as number) && Date.now() < deadline) await sleep(2);
    return { doneAt: wallClockMs(), handled, timedOut: handled < (args.count as number) };
  },

  'pickup.take'() {
    return { ...pickup.take(), handled, peerErrors };
  },

  /** Starts V8's CPU profiler in this process (for `src/profile/`), sampling every `intervalUs`. */
  async 'profile.start'(args) {
    const { Session } = await import('node:inspector/promises');
    profiler ??= new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.setSamplingInterval', {
      interval: (args.intervalUs as number | undefined) ?? 100,
    });
    await profiler.post('Profiler.start');
    return {};
  },

  /** Stops the profiler and writes the .cpuprofile to `path`. */
  async 'profile.stop'(args) {
    if (profiler === undefined) throw new Error('profile.stop: no profile.start');
    const { profile } = await profiler.post('Profiler.stop');
    profiler.disconnect();
    profiler = undefined;
    const { writeFile } = await import('node:fs/promises');
    await writeFile(args.path as string, JSON.stringify(profile));
    return { path: args.path };
  },

  usage() {
    return { rss: process.memoryUsage().rss, cpu: process.cpuUsage(), at: wallClockMs() };
  },

  /** Closes every role (newest first), each step even when one fails. */
  async reset() {
    for (const timer of driverTimers) clearInterval(timer);
    driverTimers.clear();
    const failures: string[] = [];
    while (closers.length > 0) {
      const close = closers.pop()!;
      try {
        await close();
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
    }
    emulator = undefined;
    pickup.take();
    handled = 0;
    peerErrors = 0;
    return { failures };
  },
};

function requireEmulator(): Emulator {
  if (emulator === undefined) throw new Error('no emulator in this process');
  return emulator;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// A benchmark child must outlive a peer library's stray throw (step-function-worker throws from
// aws-sdk v2 callbacks when a poll fails with no listener); it is reported, and the run goes on.
process.on('uncaughtException', (error) => {
  console.error(`bench child: uncaught ${error.name}: ${error.message}`);
});
serveParent<ChildRequest>((request) => {
  const handler = handlers[request.command];
  if (handler === undefined) throw new Error(`unknown command ${request.command}`);
  return handler(request.args);
});
