// One run on its own: its one `cancel(reason)` aborts the handler's signal with that reason and decides
// how the run ends; the first reason to abort the signal is the one that counts.
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { asJob, fakeJob, recordingSender, reports, settle } from '../test/runner-fakes.js';
import { cancelReasonOf } from './activity-cancelled-error.js';
import type { ActivityContext } from './activity-context.js';
import { ActivityRun } from './activity-run.js';
import { compileActivityProcessorOptions } from './processor-options.js';
import { TaskReporter } from './task-reporter.js';
import type { TaskSender } from './task-sender.js';

function makeRun(
  handler: (input: unknown, context: ActivityContext) => Promise<unknown>,
  sender: TaskSender,
  abandonHandlerAfterMs = 60_000,
) {
  const compiled = compileActivityProcessorOptions({
    sfn: { sender },
    logger: pino({ level: 'silent' }),
    abandonHandlerAfterMs,
  });
  const options = { ...compiled, sender };
  const reporter = new TaskReporter(sender, { sendRetryTimeoutMs: 1_000, backoff: { baseMs: 1, maxMs: 1 } });
  let abandoned = 0;
  const job = fakeJob();
  const run = new ActivityRun(asJob(job), job.data, undefined, {
    handler,
    options,
    reporter,
    onAbandoned: () => (abandoned += 1),
  });
  return { run, job, abandoned: () => abandoned };
}

/** A handler that ends, rethrowing its signal's reason, once the signal is aborted. */
function untilAborted(seen: (string | undefined)[]) {
  return (_input: unknown, { signal }: ActivityContext) =>
    new Promise((_resolve, reject) => {
      signal.addEventListener('abort', () => {
        seen.push(cancelReasonOf(signal));
        reject(signal.reason as Error);
      });
    });
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ActivityRun.cancel', () => {
  it("'task-gone' aborts the handler with that reason and ends the run as TaskGone, nothing reported", async () => {
    const sender = recordingSender();
    const seen: (string | undefined)[] = [];
    const { run, job } = makeRun(untilAborted(seen), sender);
    const executing = settle(run.execute());
    await tick();
    run.cancel({ reason: 'task-gone', invalidToken: false, cause: new Error('TaskTimedOut') });
    const result = await executing;
    expect(seen).toEqual(['task-gone']);
    expect(result.value).toMatchObject({ name: 'TaskGoneError' });
    expect(reports(sender.calls)).toEqual([]);
    expect(job.updates).toEqual([]);
  });

  it("'task-gone' with invalidToken ends the run as InvalidToken", async () => {
    const { run } = makeRun(untilAborted([]), recordingSender());
    const executing = settle(run.execute());
    await tick();
    run.cancel({ reason: 'task-gone', invalidToken: true, cause: new Error('InvalidToken') });
    expect((await executing).value).toMatchObject({ name: 'InvalidTokenError' });
  });

  it("a 'task-gone' after 'job-cancelled' does not change the reason: what the handler threw is reported", async () => {
    const sender = recordingSender();
    const seen: (string | undefined)[] = [];
    const { run, job } = makeRun(untilAborted(seen), sender);
    const executing = settle(run.execute());
    await tick();
    run.cancel({ reason: 'job-cancelled', cause: undefined });
    run.cancel({ reason: 'task-gone', invalidToken: false, cause: new Error('TaskTimedOut') });
    const result = await executing;
    expect(seen).toEqual(['job-cancelled']);
    expect(result.value).toMatchObject({ name: 'ReportedFailureError' });
    expect(reports(sender.calls)).toHaveLength(1);
    expect(job.updates[0]?.sfnOutcome).toMatchObject({ kind: 'failure' });
  });

  it("'shutdown' with report stops waiting for a handler that ignores its signal and reports SfnBullmq.WorkerShutdown", async () => {
    const sender = recordingSender();
    const { run } = makeRun(() => new Promise(() => undefined), sender);
    const executing = settle(run.execute());
    await tick();
    run.cancel({ reason: 'shutdown', report: true });
    const result = await executing;
    expect(result.value).toMatchObject({ name: 'ReportedFailureError', code: 'SfnBullmq.WorkerShutdown' });
    expect(reports(sender.calls)).toEqual([
      ['failure', 'token-1', 'SfnBullmq.WorkerShutdown', expect.any(String)],
    ]);
    await expect(run.done).resolves.toBeUndefined();
  });

  it('lets go of a handler that ignores a gone task past abandonHandlerAfterMs, once', async () => {
    const { run, abandoned } = makeRun(() => new Promise(() => undefined), recordingSender(), 20);
    const executing = settle(run.execute());
    await tick();
    run.cancel({ reason: 'task-gone', invalidToken: false, cause: undefined });
    run.cancel({ reason: 'task-gone', invalidToken: false, cause: undefined });
    const result = await executing;
    expect(result.value).toMatchObject({ name: 'TaskGoneError' });
    expect((result.value as Error).message).toMatch(/abandoned/);
    expect(abandoned()).toBe(1);
  });
});
