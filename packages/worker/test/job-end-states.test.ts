// How tasks end in BullMQ, on real Redis and the emulator over HTTP: a reported failure is a failed
// job (no BullMQ retry), an invalid job is refused once and reported, a refused token is named, and a
// handler that ignores its signal after its task closed gives its concurrency slot back.
import type {} from '@sfn-bullmq/test-support/vitest-global-setup';
import { INVALID_JOB_ERROR } from '@sfn-bullmq/protocol';
import { describe, expect, it } from 'vitest';
import { ActivityFailure, INVALID_TOKEN_JOB_ERROR, TASK_GONE_JOB_ERROR } from '../src/index.js';
import { deliverTask, finishedJob, pollAndEnqueue } from './harness.js';
import { useWorkerSuite } from './support.js';

const suite = useWorkerSuite();
const { activity, worker } = suite;

describe('job end states', () => {
  it('ends a task reported with SendTaskFailure as a failed job, not retried, failedReason starting with the error name', async () => {
    const act = activity();
    let runs = 0;
    worker(act.name, () => {
      runs += 1;
      throw ActivityFailure.nonRetryable('Card declined', 'CardDeclined');
    });
    const { outcome, data } = await deliverTask(suite.harness, act, {}, { addJob: false });
    const job = await act.queue.add(act.name, data, { jobId: 'declined-1', attempts: 3 });
    await expect(outcome).resolves.toMatchObject({ kind: 'failed', error: 'CardDeclined' });
    const finished = await finishedJob(act.queue, job.id!);
    expect(await finished.getState()).toBe('failed');
    expect(finished.failedReason).toMatch(/^CardDeclined: Card declined/);
    expect(finished.attemptsMade).toBe(1);
    expect(runs).toBe(1);
    expect(await act.queue.getJobCounts('completed', 'failed')).toEqual({ completed: 0, failed: 1 });
  });

  it('refuses a job without activityArn once, naming the field, and reports it so the task does not hang', async () => {
    const act = activity();
    let runs = 0;
    worker(act.name, () => (runs += 1));
    const { outcome } = suite.harness.emulator.scheduleTask(act.arn, '{}');
    const { data } = await pollAndEnqueue(suite.harness, act, { addJob: false });
    const { activityArn: _dropped, ...withoutArn } = data;
    const job = await act.queue.add(act.name, withoutArn as typeof data, { jobId: 'no-arn-1', attempts: 3 });
    const finished = await finishedJob(act.queue, job.id!);
    expect(finished.failedReason).toMatch(
      /^SfnBullmq\.InvalidJob: activityArn must be a string, got undefined/,
    );
    expect(finished.attemptsMade).toBe(1);
    expect(runs).toBe(0);
    await expect(outcome).resolves.toMatchObject({ kind: 'failed', error: INVALID_JOB_ERROR });
  });

  it('names a token Step Functions refuses as InvalidToken in the failedReason, not as a closed task', async () => {
    const act = activity();
    worker(act.name, () => 'done');
    const { data } = await deliverTask(suite.harness, act, {}, { addJob: false });
    const job = await act.queue.add(
      act.name,
      { ...data, taskToken: `${data.taskToken}x` },
      { jobId: 'bad-token-1' },
    );
    const finished = await finishedJob(act.queue, job.id!);
    expect(finished.failedReason).toMatch(new RegExp(`^${INVALID_TOKEN_JOB_ERROR}: .*InvalidToken`));
  });

  it('lets go of a handler that ignores its signal after the task closed, freeing its concurrency slot', async () => {
    const act = activity();
    let release: () => void = () => undefined;
    const stuck = new Promise<void>((resolve) => {
      release = resolve;
    });
    suite.addCleanup(() => Promise.resolve(release()));
    let calls = 0;
    const w = worker(
      act.name,
      async () => {
        calls += 1;
        if (calls === 1) await stuck; // the first handler never looks at its signal
        return `run ${calls}`;
      },
      { concurrency: 1, heartbeatIntervalMs: 200, minHeartbeatGapMs: 50, abandonHandlerAfterMs: 300 },
    );
    const first = await deliverTask(suite.harness, act, {}, { timeoutSeconds: 1 });
    await expect(first.outcome).resolves.toMatchObject({ kind: 'timedOut' });
    const abandoned = await finishedJob(act.queue, first.job!.id!);
    expect(abandoned.failedReason).toMatch(new RegExp(`^${TASK_GONE_JOB_ERROR}: .*abandoned`));
    expect(w.abandonedHandlerCount).toBe(1);
    // With the one slot free again, the next task runs while the first handler is still stuck.
    const second = await deliverTask(suite.harness, act, {});
    await expect(second.outcome).resolves.toEqual({ kind: 'succeeded', output: '"run 2"' });
  });
});
