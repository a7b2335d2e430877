// How each kind of task end shows in BullMQ and the logs: reported failures fail the job (no
// BullMQ retry), invalid jobs are refused once and reported, InvalidToken is named, and a
// handler that ignores its signal after the task is gone is let go after a grace period.
import { INVALID_JOB_ERROR, tokenDigest } from '@sfn-bullmq/protocol';
import { describe, expect, it } from 'vitest';
import {
  asJob,
  capturingLogger,
  fakeJob,
  recordingSender,
  reports,
  runner,
  settle,
} from '../test/runner-fakes.js';
import { ActivityFailure } from './activity-failure.js';
import { INVALID_TOKEN_JOB_ERROR, TASK_GONE_JOB_ERROR } from './job-end.js';

function sdkError(name: string, attempts = 1): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: 400, attempts } });
}

describe('a reported failure', () => {
  it('fails the job without BullMQ retries, with failedReason starting with the error name', async () => {
    const sender = recordingSender();
    const run = runner(() => {
      throw ActivityFailure.nonRetryable('Card declined', 'CardDeclined');
    }, sender);
    const job = fakeJob({}, 3);
    const result = await settle(run.process(asJob(job), undefined, undefined));
    expect(result.ok).toBe(false);
    expect(result.value).toMatchObject({ name: 'UnrecoverableError' });
    expect((result.value as Error).message).toMatch(/^CardDeclined: Card declined/);
    expect(reports(sender.calls)).toHaveLength(1);
    expect(job.updates[0]?.sfnOutcome).toMatchObject({ kind: 'failure', error: 'CardDeclined' });
  });

  it('fails the job the same way when a later attempt re-sends a stored failure', async () => {
    const sender = recordingSender();
    const run = runner(() => 'not run', sender);
    const job = fakeJob({ sfnOutcome: { kind: 'failure', error: 'CardDeclined', cause: '{}' } });
    const result = await settle(run.process(asJob(job), undefined, undefined));
    expect(result.value).toMatchObject({ name: 'UnrecoverableError' });
    expect((result.value as Error).message).toMatch(/^CardDeclined: /);
    expect(sender.calls).toEqual([['failure', 'token-1', 'CardDeclined', '{}']]);
  });

  it('fails the job when a re-sent failure finds the task closed (maybe reported), and completes a maybe-reported success', async () => {
    const gone = recordingSender({
      sendTaskFailure: () => Promise.reject(sdkError('TaskTimedOut')),
      sendTaskSuccess: () => Promise.reject(sdkError('TaskTimedOut')),
    });
    const run = runner(() => 'not run', gone);
    const failure = fakeJob({ sfnOutcome: { kind: 'failure', error: 'CardDeclined', cause: '{}' } });
    const failed = await settle(run.process(asJob(failure), undefined, undefined));
    expect(failed.value).toMatchObject({ name: 'UnrecoverableError' });
    expect((failed.value as Error).message).toMatch(/^CardDeclined: .*maybe/);
    const success = fakeJob({ sfnOutcome: { kind: 'success', output: '1' } });
    await expect(run.process(asJob(success), undefined, undefined)).resolves.toEqual({ reported: 'maybe' });
  });

  it('is logged with its error name', async () => {
    const { logger, lines } = capturingLogger('info');
    const run = runner(
      () => {
        throw ActivityFailure.nonRetryable('Card declined', 'CardDeclined');
      },
      recordingSender(),
      { logger },
    );
    await settle(run.process(asJob(fakeJob()), undefined, undefined));
    expect(lines).toContainEqual(
      expect.objectContaining({ error: 'CardDeclined', token: tokenDigest('token-1') }),
    );
  });
});

describe('an invalid job', () => {
  it('is refused once, naming the field, reported as SfnBullmq.InvalidJob and logged; the handler does not run', async () => {
    const sender = recordingSender();
    const { logger, lines } = capturingLogger('info');
    let runs = 0;
    const run = runner(() => (runs += 1), sender, { logger });
    const job = fakeJob({ activityArn: undefined }, 3);
    const result = await settle(run.process(asJob(job), undefined, undefined));
    expect(result.value).toMatchObject({ name: 'UnrecoverableError' });
    expect((result.value as Error).message).toMatch(
      /^SfnBullmq\.InvalidJob: activityArn must be a string, got undefined/,
    );
    expect(runs).toBe(0);
    expect(reports(sender.calls)).toEqual([['failure', 'token-1', INVALID_JOB_ERROR, expect.any(String)]]);
    const cause = JSON.parse(sender.calls[0]?.[3] as string) as { errorMessage: string };
    expect(cause.errorMessage).toContain('activityArn must be a string, got undefined');
    expect(lines).toContainEqual(expect.objectContaining({ field: 'activityArn', level: 50 }));
  });

  it('with a wrong type in any field is refused the same way', async () => {
    for (const [field, value] of [
      ['receivedAt', '2024-01-01'],
      ['workerName', 42],
      ['activityArn', 42],
      ['sfnOutcome', { kind: 'success', output: 42 }],
    ] as const) {
      const sender = recordingSender();
      const result = await settle(
        runner(() => 1, sender).process(asJob(fakeJob({ [field]: value })), undefined, undefined),
      );
      expect((result.value as Error).message).toMatch(new RegExp(`^SfnBullmq\\.InvalidJob: ${field} `));
      expect(reports(sender.calls).map((call) => call[2])).toEqual([INVALID_JOB_ERROR]);
    }
  });

  it('without a usable token fails without a report (there is nothing to report to)', async () => {
    for (const taskToken of [undefined, 42, '', 'T'.repeat(2049)]) {
      const sender = recordingSender();
      const result = await settle(
        runner(() => 1, sender).process(asJob(fakeJob({ taskToken })), undefined, undefined),
      );
      expect(result.value).toMatchObject({ name: 'UnrecoverableError' });
      expect((result.value as Error).message).toMatch(/^SfnBullmq\.InvalidJob: taskToken /);
      expect(sender.calls).toEqual([]);
    }
  });
});

describe('a token refused as InvalidToken', () => {
  it('is named as such in the log and the failedReason, not as a closed task', async () => {
    const sender = recordingSender({ sendTaskSuccess: () => Promise.reject(sdkError('InvalidToken')) });
    const { logger, lines } = capturingLogger('info');
    const result = await settle(
      runner(() => 'done', sender, { logger }).process(asJob(fakeJob()), undefined, undefined),
    );
    expect(result.value).toMatchObject({ name: 'UnrecoverableError' });
    expect((result.value as Error).message).toMatch(new RegExp(`^${INVALID_TOKEN_JOB_ERROR}: `));
    expect((result.value as Error).message).not.toContain(TASK_GONE_JOB_ERROR);
    const line = lines.find((l) => l.msg.includes('InvalidToken'));
    expect(line?.msg).toMatch(/refused the task token/);
    expect(line?.msg).not.toMatch(/closed/);
  });
});

describe('a token refused as InvalidToken before or while the handler runs', () => {
  const refusing = () =>
    recordingSender({ sendTaskHeartbeat: () => Promise.reject(sdkError('InvalidToken')) });

  it('by the stale-token check: the handler does not run, and the failedReason says InvalidToken', async () => {
    let runs = 0;
    const run = runner(() => (runs += 1), refusing(), { staleTokenAgeMs: 1_000 });
    const result = await settle(
      run.process(asJob(fakeJob({ receivedAt: Date.now() - 5_000 })), undefined, undefined),
    );
    expect((result.value as Error).message).toMatch(new RegExp(`^${INVALID_TOKEN_JOB_ERROR}: `));
    expect(runs).toBe(0);
  });

  it('by a heartbeat: the signal is aborted, nothing reported, and the failedReason says InvalidToken', async () => {
    const sender = refusing();
    const run = runner(
      async (_input, context) => {
        context.heartbeat();
        await new Promise((resolve) => context.signal.addEventListener('abort', resolve));
        return 'too late';
      },
      sender,
      { heartbeatIntervalMs: 50, minHeartbeatGapMs: 0 },
    );
    const result = await settle(run.process(asJob(fakeJob()), undefined, undefined));
    expect((result.value as Error).message).toMatch(new RegExp(`^${INVALID_TOKEN_JOB_ERROR}: `));
    expect(reports(sender.calls)).toEqual([]);
  });
});

describe('a handler that ignores its signal after the task is gone', () => {
  it('is let go after abandonHandlerAfterMs: the job ends as cancelled, counted and logged at warn', async () => {
    const sender = recordingSender({ sendTaskHeartbeat: () => Promise.reject(sdkError('TaskTimedOut')) });
    const { logger, lines } = capturingLogger('info');
    let release: () => void = () => undefined;
    const stuck = new Promise<void>((resolve) => {
      release = resolve;
    });
    const run = runner(
      async (_input, context) => {
        context.heartbeat();
        await stuck; // never looks at context.signal
        return 'too late';
      },
      sender,
      { logger, heartbeatIntervalMs: 50, minHeartbeatGapMs: 0, abandonHandlerAfterMs: 100 },
    );
    const result = await settle(run.process(asJob(fakeJob()), undefined, undefined));
    expect(result.value).toMatchObject({ name: 'UnrecoverableError' });
    expect((result.value as Error).message).toMatch(new RegExp(`^${TASK_GONE_JOB_ERROR}: .*abandoned`));
    expect(run.runningCount).toBe(0);
    expect(run.abandonedHandlerCount).toBe(1);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 40, token: tokenDigest('token-1'), abandonHandlerAfterMs: 100 }),
    );
    release();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(reports(sender.calls)).toEqual([]);
  });
});
