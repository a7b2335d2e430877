import type {} from '@sfn-bullmq/test-support/vitest-global-setup';
import { SFN_LIMITS } from '@sfn-bullmq/protocol';
import { until } from '@sfn-bullmq/test-support';
import { describe, expect, it } from 'vitest';
import {
  ActivityFailure,
  ActivityWorker,
  OUTPUT_TOO_LARGE_ERROR,
  TASK_GONE_JOB_ERROR,
  WORKER_SHUTDOWN_ERROR,
  type ActivityInfo,
} from '../src/index.js';
import { connectionOf, deliverTask, finishedJob } from './harness.js';
import { abortWaiter, useWorkerSuite } from './support.js';

const suite = useWorkerSuite();
const { activity, worker, redisUrl } = suite;

describe('ActivityWorker', () => {
  it("reports the handler's output with SendTaskSuccess and gives the handler its info", async () => {
    const act = activity();
    let info: ActivityInfo | undefined;
    worker(act.name, (input: { n: number }, context) => {
      info = context.info;
      return { doubled: input.n * 2, text: 'é😀' };
    });
    const { outcome, job } = await deliverTask(suite.harness, act, { n: 21 });
    await expect(outcome).resolves.toEqual({ kind: 'succeeded', output: '{"doubled":42,"text":"é😀"}' });
    const finished = await finishedJob(act.queue, job!.id!);
    expect(finished.returnvalue).toEqual({ reported: 'success' });
    expect(info).toMatchObject({
      activityArn: act.arn,
      activityName: act.name,
      queueName: act.name,
      jobId: job!.id,
      attempt: 1,
      workerName: 'test-bridge',
    });
  });

  it('reports a thrown ActivityFailure with its type as the error and a JSON cause', async () => {
    const act = activity();
    worker(act.name, () => {
      throw ActivityFailure.nonRetryable('Card declined', 'CardDeclined');
    });
    const { outcome } = await deliverTask(suite.harness, act, { amountCents: 500_000 });
    const closed = await outcome;
    expect(closed).toMatchObject({ kind: 'failed', error: 'CardDeclined' });
    const cause = JSON.parse((closed as { cause: string }).cause) as Record<string, unknown>;
    expect(cause).toMatchObject({ errorMessage: 'Card declined', errorType: 'CardDeclined' });
    expect(Array.isArray(cause['stackTrace'])).toBe(true);
  });

  it('refuses an output over 262,144 bytes cleanly, as a failure stating the size', async () => {
    const act = activity();
    worker(act.name, () => ({ blob: 'x'.repeat(SFN_LIMITS.outputMaxBytes) }));
    const { outcome } = await deliverTask(suite.harness, act, {});
    const closed = await outcome;
    expect(closed).toMatchObject({ kind: 'failed', error: OUTPUT_TOO_LARGE_ERROR });
    expect((closed as { cause: string }).cause).toContain(`${SFN_LIMITS.outputMaxBytes + 11} bytes`);
  });

  it('keeps a handler that runs longer than HeartbeatSeconds alive with automatic heartbeats', async () => {
    const act = activity();
    worker(
      act.name,
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 2_500));
        return 'done';
      },
      { heartbeatIntervalMs: 300, minHeartbeatGapMs: 100 },
    );
    const { outcome } = await deliverTask(
      suite.harness,
      act,
      {},
      { heartbeatSeconds: 1, timeoutSeconds: 30 },
    );
    await expect(outcome).resolves.toEqual({ kind: 'succeeded', output: '"done"' });
    expect(suite.harness.emulator.stats().activities[act.arn]?.heartbeats).toBeGreaterThanOrEqual(5);
  });

  it("aborts the signal with 'task-gone' when the task times out mid-run, and reports nothing", async () => {
    const act = activity();
    const waiter = abortWaiter();
    worker(act.name, waiter.handler, { heartbeatIntervalMs: 200, minHeartbeatGapMs: 50 });
    const { outcome, job } = await deliverTask(suite.harness, act, {}, { timeoutSeconds: 1 });
    await expect(outcome).resolves.toEqual({ kind: 'timedOut', heartbeat: false });
    const finished = await finishedJob(act.queue, job!.id!);
    expect(waiter.reason).toBe('task-gone');
    expect(await finished.getState()).toBe('failed');
    expect(finished.failedReason).toContain(TASK_GONE_JOB_ERROR);
    expect(suite.harness.emulator.stats().activities[act.arn]).toMatchObject({
      succeeded: 0,
      failed: 0,
      timedOut: 1,
    });
  });

  it('ends a job whose task closed before the report as cancelled, without BullMQ retries', async () => {
    const act = activity();
    worker(
      act.name,
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        return 'late';
      },
      { heartbeatIntervalMs: 60_000 },
    );
    const { outcome, job } = await deliverTask(suite.harness, act, {}, { timeoutSeconds: 1 });
    await expect(outcome).resolves.toMatchObject({ kind: 'timedOut' });
    const finished = await finishedJob(act.queue, job!.id!);
    expect(finished.failedReason).toContain(TASK_GONE_JOB_ERROR);
    expect(finished.attemptsMade).toBe(1);
  });

  it('checks a stale token with a heartbeat first and does not run the handler when the task is gone', async () => {
    const act = activity();
    let runs = 0;
    const { outcome, data } = await deliverTask(suite.harness, act, {}, { timeoutSeconds: 1, addJob: false });
    await expect(outcome).resolves.toMatchObject({ kind: 'timedOut' });
    worker(act.name, () => (runs += 1), { staleTokenAgeMs: 500 });
    const job = await act.queue.add(act.name, data, { jobId: 'stale-1' });
    const finished = await finishedJob(act.queue, job.id!);
    expect(finished.failedReason).toContain('waited in the queue');
    expect(runs).toBe(0);
  });

  it('lets running handlers finish and report on close()', async () => {
    const act = activity();
    let finishedAt = 0;
    let started = false;
    const w = worker(act.name, async () => {
      started = true;
      await new Promise((resolve) => setTimeout(resolve, 500));
      finishedAt = Date.now();
      return 'finished';
    });
    const { outcome } = await deliverTask(suite.harness, act, {});
    await until(() => started, { what: 'the handler to start' });
    await w.close();
    const closedAt = Date.now();
    expect(finishedAt).toBeGreaterThan(0);
    expect(closedAt).toBeGreaterThanOrEqual(finishedAt);
    expect(suite.harness.emulator.stats().activities[act.arn]?.succeeded).toBe(1);
    await expect(outcome).resolves.toEqual({ kind: 'succeeded', output: '"finished"' });
    await w.close(); // idempotent
    expect(w.state).toBe('closed');
  });

  it("aborts the signal with 'shutdown' on a forced close and leaves the task unreported", async () => {
    const act = activity();
    const waiter = abortWaiter();
    const w = worker(act.name, waiter.handler);
    await deliverTask(suite.harness, act, {});
    await until(() => w.runningCount === 1, { what: 'the handler to start' });
    await w.close({ force: true });
    expect(waiter.reason).toBe('shutdown');
    expect(suite.harness.emulator.stats().activities[act.arn]).toMatchObject({ succeeded: 0, failed: 0 });
  });

  it('reports running tasks as failed on a forced close when failOnForcedClose is on', async () => {
    const act = activity();
    const w = worker(act.name, abortWaiter().handler, { failOnForcedClose: true });
    const { outcome } = await deliverTask(suite.harness, act, {});
    await until(() => w.runningCount === 1, { what: 'the handler to start' });
    await w.close({ force: true });
    await expect(outcome).resolves.toMatchObject({ kind: 'failed', error: WORKER_SHUTDOWN_ERROR });
  });

  it('escalates a graceful close to a forced one when asked, aborting handlers that would not finish', async () => {
    const act = activity();
    const waiter = abortWaiter();
    const w = worker(act.name, waiter.handler);
    await deliverTask(suite.harness, act, {});
    await until(() => w.runningCount === 1, { what: 'the handler to start' });
    const graceful = w.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(w.state).toBe('closing');
    await w.close({ force: true });
    await graceful;
    expect(waiter.reason).toBe('shutdown');
    expect(w.state).toBe('closed');
    expect(suite.harness.emulator.stats().activities[act.arn]).toMatchObject({ succeeded: 0, failed: 0 });
  });

  it('retries retryable failures in BullMQ first when retryInBullmq is on, and reports the final outcome', async () => {
    const act = activity();
    let runs = 0;
    worker(
      act.name,
      () => {
        runs += 1;
        if (runs < 3) throw ActivityFailure.retryable(`flaky ${runs}`, 'Flaky');
        return { runs };
      },
      { retryInBullmq: true },
    );
    const { outcome, data } = await deliverTask(suite.harness, act, {}, { addJob: false });
    await act.queue.add(act.name, data, {
      jobId: 'retried-1',
      attempts: 3,
      backoff: { type: 'fixed', delay: 50 },
    });
    await expect(outcome).resolves.toEqual({ kind: 'succeeded', output: '{"runs":3}' });
    expect(runs).toBe(3);
  });

  it('rejects bad options at construction, naming the option', () => {
    expect(
      () =>
        new ActivityWorker('q', () => 1, {
          connection: connectionOf(redisUrl),
          sfn: { endpoint: suite.harness.emulator.endpoint },
          concurrency: 0,
        }),
    ).toThrow(expect.objectContaining({ name: 'InvalidWorkerOptionError', option: 'concurrency' }));
    expect(() => new ActivityWorker('a:b', () => 1, { connection: connectionOf(redisUrl), sfn: {} })).toThrow(
      /^queueName: /,
    );
  });
});
