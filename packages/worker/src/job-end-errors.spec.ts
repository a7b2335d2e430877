// Each way a job ends carries an error class with a literal name under the UnrecoverableError BullMQ
// needs, and the failedReason still starts with the `SfnBullmq.*` code (or the reported error).
import { INVALID_JOB_ERROR } from '@sfn-bullmq/protocol';
import { describe, expect, it } from 'vitest';
import { asJob, fakeJob, recordingSender, runner, settle } from '../test/runner-fakes.js';
import { ActivityFailure } from './activity-failure.js';
import { INVALID_TOKEN_JOB_ERROR, TASK_GONE_JOB_ERROR } from './job-end.js';
import { jobEndErrorOf } from './job-end-errors.js';

function sdkError(name: string): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: 400, attempts: 1 } });
}

describe('the error a job ends with', () => {
  it('is an UnrecoverableError whose cause is a TaskGoneError when the task closed before the report', async () => {
    const run = runner(
      () => 'done',
      recordingSender({ sendTaskSuccess: () => Promise.reject(sdkError('TaskTimedOut')) }),
    );
    const result = await settle(run.process(asJob(fakeJob()), undefined, undefined));
    expect(result.value).toMatchObject({
      name: 'UnrecoverableError',
      cause: { name: 'TaskGoneError', code: TASK_GONE_JOB_ERROR },
    });
    expect((result.value as Error).message).toMatch(new RegExp(`^${TASK_GONE_JOB_ERROR}: `));
    expect(jobEndErrorOf(result.value)?.name).toBe('TaskGoneError');
  });

  it('carries an InvalidTokenError when Step Functions refused the token', async () => {
    const run = runner(
      () => 'done',
      recordingSender({ sendTaskSuccess: () => Promise.reject(sdkError('InvalidToken')) }),
    );
    const result = await settle(run.process(asJob(fakeJob()), undefined, undefined));
    expect(result.value).toMatchObject({
      name: 'UnrecoverableError',
      cause: { name: 'InvalidTokenError', code: INVALID_TOKEN_JOB_ERROR },
    });
  });

  it('carries a RefusedJobError (caused by the InvalidJobError) for a job that is not an ActivityJobData', async () => {
    const run = runner(() => 'not run', recordingSender());
    const result = await settle(run.process(asJob(fakeJob({ activityArn: 7 })), undefined, undefined));
    expect(result.value).toMatchObject({
      name: 'UnrecoverableError',
      cause: { name: 'RefusedJobError', code: INVALID_JOB_ERROR, cause: { name: 'InvalidJobError' } },
    });
    expect((result.value as Error).message).toMatch(new RegExp(`^${INVALID_JOB_ERROR}: `));
  });

  it('carries a ReportedFailureError whose code is the error sent with SendTaskFailure', async () => {
    const run = runner(() => {
      throw ActivityFailure.nonRetryable('Card declined', 'CardDeclined');
    }, recordingSender());
    const result = await settle(run.process(asJob(fakeJob()), undefined, undefined));
    expect(result.value).toMatchObject({
      name: 'UnrecoverableError',
      cause: { name: 'ReportedFailureError', code: 'CardDeclined' },
    });
  });

  it('is a plain WorkerShutdownError (BullMQ may hand the job on) when a forced close leaves the task unreported', async () => {
    const run = runner(() => new Promise(() => undefined), recordingSender());
    const processing = settle(run.process(asJob(fakeJob()), undefined, undefined));
    await new Promise((resolve) => setImmediate(resolve));
    await run.shutdown(false, 1_000);
    const result = await processing;
    expect(result.value).toMatchObject({ name: 'WorkerShutdownError', code: 'SfnBullmq.WorkerShutdown' });
    expect((result.value as Error).message).toMatch(/^SfnBullmq\.WorkerShutdown: /);
  });
});
