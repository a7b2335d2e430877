import { describe, expect, it } from 'vitest';
import { ReportFailedError, TaskReporter } from './task-reporter.js';
import type { TaskSender } from './task-sender.js';

function sdkError(name: string, status = 400, attempts = 1): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status, attempts } });
}

/** A sender whose success calls fail with the given errors in turn, then succeed. */
function scriptedSender(errors: Error[]): TaskSender & { calls: number } {
  const sender = {
    calls: 0,
    sendTaskSuccess(): Promise<void> {
      sender.calls += 1;
      const error = errors.shift();
      return error === undefined ? Promise.resolve() : Promise.reject(error);
    },
    sendTaskFailure: () => Promise.resolve(),
    sendTaskHeartbeat: () => Promise.resolve(),
  };
  return sender;
}

const success = { kind: 'success', output: '{}' } as const;
const noSleep = { sleep: () => Promise.resolve(), backoff: { baseMs: 1, maxMs: 2 } };

describe('TaskReporter', () => {
  it('retries throttling and 5xx until the send goes through', async () => {
    const sender = scriptedSender([sdkError('ThrottlingException'), sdkError('InternalFailure', 500)]);
    const reporter = new TaskReporter(sender, { sendRetryTimeoutMs: 10_000, ...noSleep });
    await expect(reporter.report('t', success, false)).resolves.toBe('sent');
    expect(sender.calls).toBe(3);
  });

  it("answers 'invalid-token' for InvalidToken, even on a re-send: the token is wrong, the task may be open", async () => {
    for (const resend of [false, true]) {
      const sender = scriptedSender([sdkError('InvalidToken')]);
      const reporter = new TaskReporter(sender, { sendRetryTimeoutMs: 10_000, ...noSleep });
      await expect(reporter.report('t', success, resend)).resolves.toBe('invalid-token');
      expect(sender.calls).toBe(1);
    }
  });

  it("answers 'task-gone' for a TaskTimedOut on the first attempt, without retrying", async () => {
    const sender = scriptedSender([sdkError('TaskTimedOut')]);
    const reporter = new TaskReporter(sender, { sendRetryTimeoutMs: 10_000, ...noSleep });
    await expect(reporter.report('t', success, false)).resolves.toBe('task-gone');
    expect(sender.calls).toBe(1);
  });

  it("answers 'maybe-sent' for a TaskTimedOut after an earlier attempt or on a re-send", async () => {
    const afterRetry = new TaskReporter(
      scriptedSender([sdkError('ServiceUnavailable', 503), sdkError('TaskTimedOut')]),
      {
        sendRetryTimeoutMs: 10_000,
        ...noSleep,
      },
    );
    await expect(afterRetry.report('t', success, false)).resolves.toBe('maybe-sent');
    const resend = new TaskReporter(scriptedSender([sdkError('TaskTimedOut')]), {
      sendRetryTimeoutMs: 10_000,
      ...noSleep,
    });
    await expect(resend.report('t', success, true)).resolves.toBe('maybe-sent');
    const sdkRetried = new TaskReporter(scriptedSender([sdkError('TaskTimedOut', 400, 2)]), {
      sendRetryTimeoutMs: 10_000,
      ...noSleep,
    });
    await expect(sdkRetried.report('t', success, false)).resolves.toBe('maybe-sent');
  });

  it('gives up with ReportFailedError once the retry time is spent', async () => {
    let now = 0;
    const sender = scriptedSender(Array.from({ length: 100 }, () => sdkError('ThrottlingException')));
    const reporter = new TaskReporter(sender, {
      sendRetryTimeoutMs: 1_000,
      backoff: { baseMs: 100, maxMs: 100 },
      now: () => now,
      sleep: (ms) => {
        now += ms;
        return Promise.resolve();
      },
    });
    await expect(reporter.report('t', success, false)).rejects.toBeInstanceOf(ReportFailedError);
    expect(sender.calls).toBeGreaterThan(1);
  });

  it('throws other errors at once', async () => {
    const sender = scriptedSender([sdkError('InvalidOutput')]);
    const reporter = new TaskReporter(sender, { sendRetryTimeoutMs: 10_000, ...noSleep });
    await expect(reporter.report('t', success, false)).rejects.toMatchObject({ name: 'InvalidOutput' });
    expect(sender.calls).toBe(1);
  });
});
