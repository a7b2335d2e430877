import { setTimeout as sleep } from 'node:timers/promises';
import type {} from '@sfn-bullmq/test-support/vitest-global-setup';
import { ENQUEUE_FAILED_ERROR, jobIdForToken } from '@sfn-bullmq/protocol';
import { RedisServer } from '@sfn-bullmq/test-support';
import { Worker } from 'bullmq';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { Harness, until } from './harness.js';

const redisUrl = inject('redisUrl');
let harness: Harness;

afterEach(async () => {
  await harness.closeAll();
});

function nameOf(arn: string): string {
  return arn.slice(arn.lastIndexOf(':') + 1);
}

describe('Bridge against the emulator and a private Redis', () => {
  it('keeps 100 polls open while tasks flow, and N tasks become N jobs with the right ids and data', async () => {
    harness = new Harness();
    await harness.startEmulator();
    const arn = harness.activity('flow');
    const queue = harness.queue(redisUrl, nameOf(arn));
    const bridge = harness.bridge(redisUrl, [{ activityArn: arn, polls: 100 }]);
    await bridge.start();
    await until(() => harness.stats(arn).openPolls === 100, 10_000, '100 open polls');

    const N = 300;
    const inputs = Array.from({ length: N }, (_, i) => ({ n: i }));
    let maxOpen = 0;
    const sampler = setInterval(() => (maxOpen = Math.max(maxOpen, harness.stats(arn).openPolls)), 5);
    for (const input of inputs) harness.emulator.scheduleTask(arn, JSON.stringify(input));
    await until(async () => (await harness.jobCount(queue)) === N, 15_000, `${N} jobs`);
    clearInterval(sampler);

    expect(maxOpen).toBeLessThanOrEqual(100);
    await until(() => harness.stats(arn).openPolls === 100, 5_000, '100 open polls after the flow');
    expect(bridge.status().activities[0]).toMatchObject({ state: 'running', openPolls: 100, heldTokens: 0 });
    const jobs = await queue.getJobs(['waiting'], 0, N);
    expect(jobs).toHaveLength(N);
    const seen = new Set<number>();
    for (const job of jobs) {
      expect(job.id).toBe(jobIdForToken(job.data.taskToken));
      expect(job.name).toBe(nameOf(arn));
      expect(job.data).toMatchObject({ activityArn: arn, workerName: 'bridge-test' });
      expect(typeof job.data.receivedAt).toBe('number');
      seen.add((job.data.input as { n: number }).n);
    }
    expect(seen.size).toBe(N);
    const stats = harness.stats(arn);
    expect(stats.started).toBe(N);
    expect(stats.lostTokens.total).toBe(0);
    const metrics = await bridge.registry.getSingleMetricAsString('sfn_bullmq_bridge_tokens_enqueued_total');
    expect(metrics).toMatch(new RegExp(`^sfn_bullmq_bridge_tokens_enqueued_total\\{[^}]*\\} ${N}$`, 'm'));
  });

  it('loses no token when Redis stops and restarts mid-stream', async () => {
    harness = new Harness();
    const redis = await RedisServer.start({ appendOnly: true });
    harness.onClose(() => redis.close());
    await harness.startEmulator();
    const arn = harness.activity('outage');
    const bridge = harness.bridge(redis.url, [{ activityArn: arn, polls: 20, enqueueDeadlineMs: 15_000 }]);
    await bridge.start();
    await until(() => harness.stats(arn).openPolls === 20, 10_000, 'polls open');

    const N = 200;
    const outcomes: Promise<unknown>[] = [];
    let scheduled = 0;
    const producer = setInterval(() => {
      for (let i = 0; i < 5 && scheduled < N; i += 1, scheduled += 1) {
        outcomes.push(harness.emulator.scheduleTask(arn, JSON.stringify({ n: scheduled })).outcome);
      }
    }, 10);
    harness.onClose(() => Promise.resolve(clearInterval(producer)));
    await until(() => scheduled >= 60, 5_000, 'tasks flowing');
    await redis.stop();
    await until(() => bridge.status().activities[0]?.state === 'holding', 5_000, 'pool holding');
    expect(bridge.isReady()).toBe(false);
    // While tokens are held, no new polls open: tasks stay inside Step Functions.
    await until(() => harness.stats(arn).openPolls === 0, 5_000, 'polls paused');
    const startedDuringOutage = harness.stats(arn).started;
    await sleep(1_000);
    expect(harness.stats(arn).started).toBe(startedDuringOutage);
    await redis.restart();
    await until(() => scheduled === N, 10_000, 'all scheduled');
    clearInterval(producer);

    const queue = harness.queue(redis.url, nameOf(arn));
    await until(
      async () => (await harness.jobCount(queue)) + harness.stats(arn).failed === N,
      20_000,
      'every task a job or a reported failure',
    );
    const stats = harness.stats(arn);
    expect(stats.started).toBe(N);
    expect(stats.lostTokens.total).toBe(0);
    expect(await harness.jobCount(queue)).toBe(N);
    await until(() => bridge.isReady(), 5_000, 'bridge ready again');
  });

  it('reports SfnBullmq.EnqueueFailed for tokens Redis cannot store before the deadline', async () => {
    harness = new Harness();
    const redis = await RedisServer.start();
    harness.onClose(() => redis.close());
    await harness.startEmulator();
    const arn = harness.activity('deadline');
    const bridge = harness.bridge(redis.url, [
      { activityArn: arn, polls: 5, enqueueDeadlineMs: 500, enqueueAttemptTimeoutMs: 200 },
    ]);
    await bridge.start();
    await until(() => harness.stats(arn).openPolls === 5, 10_000, 'polls open');
    await redis.stop();
    const outcomes = Array.from(
      { length: 3 },
      (_, n) => harness.emulator.scheduleTask(arn, `{"n":${n}}`).outcome,
    );
    const settled = await Promise.all(outcomes);
    for (const outcome of settled) {
      expect(outcome).toMatchObject({ kind: 'failed', error: ENQUEUE_FAILED_ERROR });
    }
    expect(harness.stats(arn).lostTokens.total).toBe(0);
    // The emulator settles the outcome before the bridge's SendTaskFailure call returns and counts it.
    await until(
      async () =>
        / 3$/m.test(
          await bridge.registry.getSingleMetricAsString('sfn_bullmq_bridge_enqueue_failures_reported_total'),
        ),
      5_000,
      'three failures counted',
    );
  });

  it('close() with polls in flight loses nothing', async () => {
    harness = new Harness();
    await harness.startEmulator({ pollTimeoutMs: 1500 });
    const arn = harness.activity('drain');
    const queue = harness.queue(redisUrl, nameOf(arn));
    const bridge = harness.bridge(redisUrl, [{ activityArn: arn, polls: 50 }]);
    await bridge.start();
    await until(() => harness.stats(arn).openPolls === 50, 10_000, 'polls open');
    let scheduled = 0;
    const producer = setInterval(() => {
      harness.emulator.scheduleTask(arn, `{"n":${scheduled}}`);
      scheduled += 1;
    }, 2);
    harness.onClose(() => Promise.resolve(clearInterval(producer)));
    await until(() => scheduled >= 50, 5_000, 'tasks flowing');
    const closing = bridge.close();
    expect(bridge.state).toBe('draining');
    await closing;
    clearInterval(producer);
    expect(bridge.state).toBe('closed');
    const stats = harness.stats(arn);
    expect(stats.openPolls).toBe(0);
    expect(stats.lostTokens.total).toBe(0);
    expect(await harness.jobCount(queue)).toBe(stats.started);
    expect(stats.waiting).toBe(scheduled - stats.started);
    await bridge.close(); // idempotent
  });

  it('one broken ARN does not stop the others', async () => {
    harness = new Harness();
    await harness.startEmulator();
    const good = harness.activity('good');
    const missing = harness.emulator.activityArn('never-created');
    const queue = harness.queue(redisUrl, nameOf(good));
    const bridge = harness.bridge(redisUrl, [
      { activityArn: missing, polls: 10 },
      { activityArn: good, polls: 10 },
    ]);
    await bridge.start();
    await until(() => bridge.status().activities[0]?.state === 'stopped', 5_000, 'broken pool stopped');
    for (let i = 0; i < 20; i += 1) harness.emulator.scheduleTask(good, `{"n":${i}}`);
    await until(async () => (await harness.jobCount(queue)) === 20, 10_000, 'jobs of the good ARN');
    const [broken, working] = bridge.status().activities;
    expect(broken).toMatchObject({ state: 'stopped', healthy: false });
    expect(broken?.lastError).toContain('ActivityDoesNotExist');
    expect(working).toMatchObject({ state: 'running', healthy: true });
    expect(bridge.isReady()).toBe(false);
  });

  it('backs off on throttling and recovers', async () => {
    harness = new Harness();
    await harness.startEmulator({ throttle: { GetActivityTask: { bucket: 10, refillPerSecond: 60 } } });
    const arn = harness.activity('throttle');
    const queue = harness.queue(redisUrl, nameOf(arn));
    const bridge = harness.bridge(redisUrl, [{ activityArn: arn, polls: 40, pollBackoffMaxMs: 2_000 }]);
    await bridge.start();
    for (let i = 0; i < 50; i += 1) harness.emulator.scheduleTask(arn, `{"n":${i}}`);
    await until(async () => (await harness.jobCount(queue)) === 50, 15_000, 'all jobs despite throttling');
    const errors = await bridge.registry.getSingleMetricAsString('sfn_bullmq_bridge_poll_errors_total');
    expect(errors).toMatch(/type="throttling"} [1-9]/);
    await until(() => harness.stats(arn).openPolls === 40, 15_000, 'pool back to 40 polls');
    expect(bridge.status().activities[0]?.state).toBe('running');
    expect(harness.stats(arn).lostTokens.total).toBe(0);
  });

  it('stops polling at the high-water mark and resumes below the low-water mark', async () => {
    harness = new Harness();
    await harness.startEmulator();
    const arn = harness.activity('bp');
    const queue = harness.queue(redisUrl, nameOf(arn));
    const bridge = harness.bridge(redisUrl, [
      { activityArn: arn, polls: 5, maxWaiting: 20, resumeBelow: 10, backpressureCheckIntervalMs: 50 },
    ]);
    await bridge.start();
    for (let i = 0; i < 60; i += 1) harness.emulator.scheduleTask(arn, `{"n":${i}}`);
    await until(() => bridge.status().activities[0]?.state === 'backpressure', 10_000, 'back-pressure');
    await until(() => harness.stats(arn).openPolls === 0, 5_000, 'no polls open');
    const waiting = await queue.getWaitingCount();
    expect(waiting).toBeGreaterThanOrEqual(20);
    expect(waiting).toBeLessThanOrEqual(25); // at most `polls` past the mark: open polls are never cut
    expect(harness.stats(arn).waiting).toBe(60 - waiting);

    // A worker drains the queue; the pool resumes below 10 and every task arrives.
    const processed = new Set<string>();
    const worker = new Worker(
      nameOf(arn),
      async (job) => {
        processed.add(job.id ?? '');
        await sleep(5);
      },
      { connection: { url: redisUrl }, prefix: harness.prefix, concurrency: 1 },
    );
    harness.onClose(() => worker.close());
    await until(() => processed.size === 60, 15_000, 'all 60 processed');
    expect(harness.stats(arn).lostTokens.total).toBe(0);
    expect(bridge.status().activities[0]?.state).toBe('running');
  });
});
