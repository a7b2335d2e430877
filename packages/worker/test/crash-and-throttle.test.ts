import type {} from '@sfn-bullmq/test-support/vitest-global-setup';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createSendActivityClient } from '@sfn-bullmq/protocol';
import { uniqueName } from '@sfn-bullmq/test-support';
import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { ActivityWorker, activityClientTaskSender, type ActivityWorkerOptions } from '../src/index.js';
import {
  connectionOf,
  createActivity,
  credentials,
  deliverTask,
  finishedJob,
  startHarness,
  testLogger,
} from './harness.js';
import { useCleanups } from './support.js';

const redisUrl = inject('redisUrl');
const addCleanup = useCleanups();

describe('crash recovery', () => {
  it('re-sends the stored outcome once after a worker is killed between storing and sending; the handler ran once', async () => {
    const harness = await startHarness();
    addCleanup(() => harness.close());
    const act = createActivity(harness, redisUrl);
    addCleanup(() => act.close());
    const redis = new Redis(redisUrl);
    addCleanup(() => Promise.resolve(redis.disconnect()));
    const counterKey = uniqueName('runs');

    // The first worker is a child process that SIGKILLs itself once the outcome is stored.
    const child = spawn(
      process.execPath,
      [
        fileURLToPath(new URL('./fixtures/crash-after-store.mjs', import.meta.url)),
        redisUrl,
        harness.emulator.endpoint,
        act.name,
        counterKey,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    addCleanup(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));

    const { outcome, job } = await deliverTask(harness, act, { n: 7 });
    expect(await exited).toBe('SIGKILL');
    expect(await redis.get(counterKey)).toBe('1');
    expect(harness.emulator.stats().activities[act.arn]?.succeeded).toBe(0);

    // A second worker finds the job stalled (lock expired), sees the stored outcome and sends it.
    let secondRuns = 0;
    const second = new ActivityWorker(
      act.name,
      async () => {
        secondRuns += 1;
        await redis.incr(counterKey);
        return 'ran again';
      },
      {
        connection: connectionOf(redisUrl),
        sfn: { endpoint: harness.emulator.endpoint, region: 'us-east-1', credentials },
        lockDurationMs: 1_000,
        stalledIntervalMs: 500,
        logger: testLogger(),
      },
    );
    addCleanup(() => second.close());
    await expect(outcome).resolves.toEqual({ kind: 'succeeded', output: '{"resized":7}' });
    const finished = await finishedJob(act.queue, job!.id!);
    expect(finished.returnvalue).toEqual({ reported: 'success' });
    expect(finished.attemptsStarted).toBe(2);
    expect(secondRuns).toBe(0);
    expect(await redis.get(counterKey)).toBe('1');
    expect(harness.emulator.stats().activities[act.arn]).toMatchObject({ succeeded: 1, failed: 0 });
  });
});

/** The client Send* goes through, making one attempt per call. */
const oneAttemptSfn: Array<[string, (endpoint: string) => ActivityWorkerOptions['sfn']]> = [
  [
    'SfnActivityClient (what connection options build)',
    (endpoint) => {
      const client = createSendActivityClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
      addCleanup(() => client.close({ force: true }));
      return { sender: activityClientTaskSender(client) };
    },
  ],
];

describe('throttling', () => {
  it.each(oneAttemptSfn)(
    'retries a throttled SendTaskSuccess with backoff until it goes through, over %s',
    async (_, sfnOf) => {
      const harness = await startHarness({
        throttle: { SendTaskSuccess: { bucket: 1, refillPerSecond: 4 } },
      });
      addCleanup(() => harness.close());
      const act = createActivity(harness, redisUrl);
      addCleanup(() => act.close());
      // One attempt per call in the client, so every retry seen here is the worker's own.
      const sfn = sfnOf(harness.emulator.endpoint);
      const worker = new ActivityWorker(act.name, (input: { i: number }) => input.i, {
        connection: connectionOf(redisUrl),
        sfn,
        concurrency: 10,
        logger: testLogger(),
      });
      addCleanup(() => worker.close());
      const tasks = await Promise.all(Array.from({ length: 6 }, (_, i) => deliverTask(harness, act, { i })));
      const outcomes = await Promise.all(tasks.map((task) => task.outcome));
      expect(outcomes).toEqual(
        Array.from({ length: 6 }, (_, i) => ({ kind: 'succeeded', output: String(i) })),
      );
      expect(harness.emulator.stats().totals.throttled).toBeGreaterThan(0);
    },
  );
});
