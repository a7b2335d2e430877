// The poller's timer-driven paths, on a clock the test moves: grow-back after the worker limit,
// the enqueue deadline and its give-up report, the back-pressure re-read, the missing-activity probe.
import { ENQUEUE_FAILED_ERROR } from '@sfn-bullmq/protocol';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ActivityPoller } from './activity-poller.js';
import { compileActivityPollerOptions, type ActivityPollerOptions } from './bridge-options.js';
import { ManualClock } from './manual-clock.spec-helper.js';
import { GROW_INTERVAL_MS } from './poll-slots.js';
import { ARN, FakeQueue, FakeReporter, FakeSource } from './poller-fakes.spec-helper.js';

const cleanups: (() => Promise<unknown>)[] = [];

function makePoller(options: Partial<ActivityPollerOptions> = {}) {
  const clock = new ManualClock();
  const source = new FakeSource();
  const queue = new FakeQueue();
  const reporter = new FakeReporter();
  const poller = new ActivityPoller(
    compileActivityPollerOptions({ activityArn: ARN, polls: 4, ...options }),
    {
      source,
      queue,
      reporter,
      workerName: 'test-worker',
      logger: pino({ level: 'silent' }),
      clock,
      random: () => 0.5,
    },
  );
  cleanups.push(async () => {
    const closing = poller.close({ force: true });
    source.answerAll();
    await clock.advance(60_000);
    await closing;
  });
  return { poller, source, queue, reporter, clock };
}

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('ActivityPoller on an injected clock', () => {
  it('is idle before start() and opens no poll', async () => {
    const { poller, source, clock } = makePoller();
    await clock.advance(10_000);
    expect(poller.status()).toMatchObject({ state: 'idle', healthy: false, openPolls: 0 });
    expect(source.calls).toBe(0);
  });

  it('grows back to `polls` after ActivityWorkerLimitExceeded, one step per interval', async () => {
    const { poller, source, clock } = makePoller({ polls: 40 });
    poller.start();
    await clock.advance(0);
    expect(source.open.length).toBe(40);
    const limit = Object.assign(new Error('limit'), { name: 'ActivityWorkerLimitExceeded' });
    for (let i = 0; i < 10; i += 1) source.fail(limit);
    await clock.advance(0);
    // Shrunk to what stayed open after each failure (39, 38, … 30); open polls are kept, never abandoned.
    expect(poller.status().targetPolls).toBe(30);
    await clock.advance(GROW_INTERVAL_MS - 1);
    expect(poller.status().targetPolls).toBe(30);
    await clock.advance(1);
    // A twentieth of `polls` per interval.
    expect(poller.status().targetPolls).toBe(32);
    await clock.advance(3 * GROW_INTERVAL_MS);
    expect(poller.status().targetPolls).toBe(38);
    await clock.advance(GROW_INTERVAL_MS);
    expect(poller.status()).toMatchObject({ state: 'running', targetPolls: 40, openPolls: 40 });
    // Grown back in full, the grow timer is gone: a new limit error starts it again from there.
    await clock.advance(10 * GROW_INTERVAL_MS);
    expect(poller.status().targetPolls).toBe(40);
    source.fail(limit);
    await clock.advance(0);
    expect(poller.status().targetPolls).toBe(39);
    await clock.advance(GROW_INTERVAL_MS);
    expect(poller.status().targetPolls).toBe(40);
  });

  it('reports an unstored token with SendTaskFailure once its enqueue deadline passes, not before', async () => {
    const { poller, source, queue, reporter, clock } = makePoller({ polls: 1, enqueueDeadlineMs: 30_000 });
    poller.start();
    await clock.advance(0);
    queue.failAdds = true;
    source.answer({ taskToken: 'late' });
    await clock.advance(29_000);
    expect(reporter.failures).toHaveLength(0);
    expect(poller.status()).toMatchObject({ state: 'holding', heldTokens: 1, openPolls: 0 });
    expect(queue.adds).toBeGreaterThan(10);
    await clock.advance(1_100);
    expect(reporter.failures).toEqual([
      expect.objectContaining({ taskToken: 'late', error: ENQUEUE_FAILED_ERROR }) as unknown,
    ]);
    expect(reporter.failures[0]?.cause).toContain('within 30000 ms');
    expect(poller.status()).toMatchObject({ state: 'running', heldTokens: 0, openPolls: 1 });
  });

  it('re-reads a full queue soon and resumes once it falls below the low-water mark', async () => {
    const { poller, source, queue, clock } = makePoller({
      polls: 2,
      maxWaiting: 3,
      resumeBelow: 2,
      backpressureCheckIntervalMs: 60_000,
    });
    poller.start();
    await clock.advance(0);
    queue.waiting = 3;
    // The interval's read finds the queue full.
    await clock.advance(60_000);
    expect(poller.state).toBe('backpressure');
    source.answerAll();
    await clock.advance(0);
    expect(source.open.length).toBe(0);
    queue.waiting = 1;
    // The full queue is re-read within 250 ms, not at the next 60 s tick.
    await clock.advance(250);
    expect(poller.state).toBe('running');
    expect(source.open.length).toBe(2);
  });

  it('probes a missing activity with one poll every missingActivityRetryMs', async () => {
    const { poller, source, clock } = makePoller({ polls: 3, missingActivityRetryMs: 30_000 });
    poller.start();
    await clock.advance(0);
    source.fail(Object.assign(new Error("Activity Does Not Exist: 'x'"), { name: 'ActivityDoesNotExist' }));
    source.answerAll();
    await clock.advance(0);
    expect(poller.state).toBe('stopped');
    expect(source.open.length).toBe(0);
    await clock.advance(29_000);
    expect(source.open.length).toBe(0);
    await clock.advance(1_000);
    expect(source.open.length).toBe(1);
    source.fail(Object.assign(new Error("Activity Does Not Exist: 'x'"), { name: 'ActivityDoesNotExist' }));
    await clock.advance(29_999);
    expect(source.open.length).toBe(0);
    await clock.advance(1);
    expect(source.open.length).toBe(1);
    source.answer();
    await clock.advance(0);
    expect(poller.state).toBe('running');
    expect(source.open.length).toBe(3);
  });
});
