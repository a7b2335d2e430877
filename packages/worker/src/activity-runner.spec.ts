import { describe, expect, it } from 'vitest';
import { asJob, fakeJob, recordingSender, runner } from '../test/runner-fakes.js';
import { cancelReasonOf } from './activity-cancelled-error.js';
import { ActivityFailure } from './activity-failure.js';
import { compileActivityProcessorOptions, type ActivityProcessorOptions } from './processor-options.js';

describe('ActivityRunner', () => {
  it('stores the outcome on the job before sending it', async () => {
    const sender = recordingSender();
    const job = fakeJob();
    const order: string[] = [];
    const run = runner((input: { n: number }) => ({ doubled: input.n * 2 }), sender, {
      hooks: { afterOutcomeStored: () => void order.push(`stored:${sender.calls.length}`) },
    });
    await expect(run.process(asJob(job), undefined, undefined)).resolves.toEqual({ reported: 'success' });
    expect(job.updates[0]?.sfnOutcome).toEqual({ kind: 'success', output: '{"doubled":2}' });
    expect(order).toEqual(['stored:0']);
    expect(sender.calls).toEqual([['success', 'token-1', '{"doubled":2}']]);
  });

  it('re-sends a stored outcome without running the handler', async () => {
    const sender = recordingSender();
    let runs = 0;
    const run = runner(() => {
      runs += 1;
      return 'again';
    }, sender);
    const job = fakeJob({ sfnOutcome: { kind: 'failure', error: 'CardDeclined', cause: '{}' } });
    await expect(run.process(asJob(job), undefined, undefined)).rejects.toThrow(/^CardDeclined: /);
    expect(runs).toBe(0);
    expect(sender.calls).toEqual([['failure', 'token-1', 'CardDeclined', '{}']]);
  });

  it('reports a thrown ActivityFailure with its type', async () => {
    const sender = recordingSender();
    const run = runner(() => {
      throw ActivityFailure.nonRetryable('Card declined', 'CardDeclined');
    }, sender);
    await expect(run.process(asJob(fakeJob()), undefined, undefined)).rejects.toThrow(/^CardDeclined: /);
    expect(sender.calls[0]?.slice(0, 3)).toEqual(['failure', 'token-1', 'CardDeclined']);
  });

  it('leaves retryable errors to BullMQ while attempts remain, when retryInBullmq is on', async () => {
    const sender = recordingSender();
    const run = runner(
      () => {
        throw new Error('flaky');
      },
      sender,
      { retryInBullmq: true },
    );
    await expect(run.process(asJob(fakeJob({}, 3)), undefined, undefined)).rejects.toThrow('flaky');
    expect(sender.calls).toEqual([]);
    const last = fakeJob({}, 3);
    last.attemptsMade = 2;
    await expect(run.process(asJob(last), undefined, undefined)).rejects.toThrow(/^Error: flaky/);
    expect(sender.calls[0]?.[0]).toBe('failure');
  });

  it('aborts the signal when a heartbeat finds the task gone, and reports nothing', async () => {
    const gone = Object.assign(new Error('gone'), { name: 'TaskTimedOut' });
    const sender = recordingSender({ sendTaskHeartbeat: () => Promise.reject(gone) });
    let reason: string | undefined;
    const run = runner(
      async (_input, context) => {
        context.heartbeat({ step: 1 });
        await new Promise((resolve) => context.signal.addEventListener('abort', resolve));
        reason = cancelReasonOf(context.signal);
        return 'too late';
      },
      sender,
      { heartbeatIntervalMs: 50, minHeartbeatGapMs: 0 },
    );
    await expect(run.process(asJob(fakeJob()), undefined, undefined)).rejects.toMatchObject({
      name: 'UnrecoverableError',
    });
    expect(reason).toBe('task-gone');
    expect(sender.calls.map(([kind]) => kind)).toEqual(['heartbeat']);
  });

  it("aborts the signal with 'job-cancelled' when BullMQ cancels the job, and reports what the handler throws", async () => {
    const sender = recordingSender();
    const bull = new AbortController();
    const run = runner(async (_input, context) => {
      setTimeout(() => bull.abort('operator'), 10);
      await new Promise((resolve) => context.signal.addEventListener('abort', resolve));
      throw ActivityFailure.nonRetryable(`cancelled: ${cancelReasonOf(context.signal)}`, 'Cancelled');
    }, sender);
    await expect(run.process(asJob(fakeJob()), undefined, bull.signal)).rejects.toThrow(/^Cancelled: /);
    expect(sender.calls[0]?.slice(0, 3)).toEqual(['failure', 'token-1', 'Cancelled']);
    expect(JSON.parse(sender.calls[0]?.[3] as string)).toMatchObject({
      errorMessage: 'cancelled: job-cancelled',
    });
  });

  it('checks a stale token with a heartbeat first and does not run the handler when the task is gone', async () => {
    const gone = Object.assign(new Error('gone'), { name: 'TaskTimedOut' });
    const sender = recordingSender({ sendTaskHeartbeat: () => Promise.reject(gone) });
    let runs = 0;
    const run = runner(() => (runs += 1), sender, { staleTokenAgeMs: 1_000 });
    const job = fakeJob({ receivedAt: Date.now() - 5_000 });
    await expect(run.process(asJob(job), undefined, undefined)).rejects.toThrow(/waited in the queue/);
    expect(runs).toBe(0);
  });

  it("declares three parameters, so BullMQ passes its abort signal (it checks the processor's length)", () => {
    expect(runner(() => 1, recordingSender()).process.length).toBe(3);
  });

  it('rejects bad options, naming the option and the value', () => {
    const sender = recordingSender();
    expect(() => runner(() => 1, sender, { heartbeatIntervalMs: -5 })).toThrow(
      expect.objectContaining({ name: 'InvalidWorkerOptionError', option: 'heartbeatIntervalMs', value: -5 }),
    );
    expect(() => runner(() => 1, sender, { minHeartbeatGapMs: 20_000 })).toThrow(/minHeartbeatGapMs/);
    expect(() =>
      compileActivityProcessorOptions({ sfn: null as unknown as ActivityProcessorOptions['sfn'] }),
    ).toThrow(/^sfn: /);
    expect(() => compileActivityProcessorOptions({ sfn: { endpoint: 'localhost:8083' } })).toThrow(
      expect.objectContaining({
        name: 'InvalidWorkerOptionError',
        option: 'sfn.endpoint',
        value: 'localhost:8083',
      }),
    );
  });
});
