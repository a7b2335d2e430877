import { setTimeout as sleep } from 'node:timers/promises';
import { jobIdForToken, ENQUEUE_FAILED_ERROR } from '@sfn-bullmq/protocol';
import { until } from '@sfn-bullmq/test-support';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ActivityPoller, type ActivityPollerDeps } from './activity-poller.js';
import { compileActivityPollerOptions, type ActivityPollerOptions } from './bridge-options.js';
import { realClock } from './clock.js';
import { ARN, FakeQueue, FakeReporter, FakeSource } from './poller-fakes.spec-helper.js';

const pollers: ActivityPoller[] = [];
let sources: FakeSource[] = [];

function makePoller(options: Partial<ActivityPollerOptions> = {}, deps: Partial<ActivityPollerDeps> = {}) {
  const source = new FakeSource();
  const queue = new FakeQueue();
  const reporter = new FakeReporter();
  const poller = new ActivityPoller(
    compileActivityPollerOptions({
      activityArn: ARN,
      polls: 5,
      backpressureCheckIntervalMs: 20,
      pollBackoffMaxMs: 20,
      ...options,
    }),
    { source, queue, reporter, workerName: 'test-worker', logger: pino({ level: 'silent' }), ...deps },
  );
  pollers.push(poller);
  sources.push(source);
  return { poller, source, queue, reporter };
}

afterEach(async () => {
  const closing = pollers.splice(0).map((poller) => poller.close());
  for (const source of sources) source.answerAll();
  sources = [];
  await Promise.all(closing);
});

describe('ActivityPoller', () => {
  it('keeps exactly `polls` polls open and replaces each one that returns', async () => {
    const { poller, source } = makePoller({ polls: 5 });
    poller.start();
    await until(() => source.open.length === 5);
    source.answer();
    source.answer({ taskToken: 'token-1', input: '{}' });
    await until(() => source.calls === 7);
    expect(source.open.length).toBe(5);
    expect(poller.status()).toMatchObject({ state: 'running', healthy: true, openPolls: 5, targetPolls: 5 });
  });

  it('turns a token into one job with the token-derived id and the parsed input', async () => {
    const { poller, source, queue } = makePoller();
    poller.start();
    await until(() => source.open.length === 5);
    source.answer({ taskToken: 'token-a', input: '{"width":100}' });
    source.answer({ taskToken: 'token-b', input: 'not json' });
    await until(() => queue.jobs.size === 2);
    const job = queue.jobs.get(jobIdForToken('token-a'));
    expect(job?.name).toBe('resize');
    expect(job?.data).toMatchObject({
      taskToken: 'token-a',
      input: { width: 100 },
      activityArn: ARN,
      workerName: 'test-worker',
    });
    expect(job?.opts).toMatchObject({
      jobId: jobIdForToken('token-a'),
      removeOnComplete: { age: 86_400, count: 10_000 },
    });
    expect(queue.jobs.get(jobIdForToken('token-b'))?.data).toMatchObject({
      input: 'not json',
      inputIsRaw: true,
    });
  });

  it('holds tokens while Redis fails, opens no polls, and resumes when they are stored', async () => {
    const { poller, source, queue } = makePoller({ polls: 3 });
    poller.start();
    await until(() => source.open.length === 3);
    queue.failAdds = true;
    source.answer({ taskToken: 'held-1' });
    await until(() => poller.state === 'holding');
    // A slot may have polled again before the failed add was known; answer whatever is open.
    source.answer({ taskToken: 'held-2' });
    source.answerAll();
    const callsWhileHolding = source.calls;
    await sleep(50);
    expect(source.calls).toBe(callsWhileHolding);
    expect(source.open.length).toBe(0);
    expect(poller.status()).toMatchObject({ healthy: false, heldTokens: 2, openPolls: 0 });
    queue.failAdds = false;
    await until(() => queue.jobs.size === 2 && poller.state === 'running');
    await until(() => source.open.length === 3);
  });

  it('reports SendTaskFailure SfnBullmq.EnqueueFailed for a token not stored by the deadline', async () => {
    const { poller, source, queue, reporter } = makePoller({ polls: 1, enqueueDeadlineMs: 100 });
    poller.start();
    await until(() => source.open.length === 1);
    queue.failAdds = true;
    source.answer({ taskToken: 'doomed' });
    await until(() => reporter.failures.length === 1, 2_000);
    expect(reporter.failures[0]).toMatchObject({ taskToken: 'doomed', error: ENQUEUE_FAILED_ERROR });
    expect(reporter.failures[0]?.cause).toContain('100 ms');
    await until(() => poller.state === 'running');
    expect(poller.heldTokens).toBe(0);
  });

  it('stops a pool whose activity does not exist, then resumes when it answers again', async () => {
    const { poller, source } = makePoller({ polls: 3, missingActivityRetryMs: 30 });
    poller.start();
    await until(() => source.open.length === 3);
    const missing = Object.assign(new Error("Activity Does Not Exist: 'x'"), {
      name: 'ActivityDoesNotExist',
    });
    source.fail(missing);
    source.answer();
    source.answer();
    await until(() => poller.state === 'stopped');
    expect(poller.status()).toMatchObject({
      healthy: false,
      lastError: expect.stringContaining('ActivityDoesNotExist') as unknown,
    });
    // Only one slot probes.
    await until(() => source.open.length === 1);
    source.answer();
    await until(() => poller.state === 'running' && source.open.length === 3);
  });

  it('turns failing when polls keep failing and none answers for unhealthyAfterMs, healthy at the next answer', async () => {
    let now = 1_000_000;
    const { poller, source } = makePoller(
      { polls: 2, unhealthyAfterMs: 15_000 },
      { clock: { ...realClock, now: () => now }, pollDescription: 'GetActivityTask to http://127.0.0.1:1' },
    );
    const states: string[] = [];
    poller.start();
    // Listening after start(): the 'idle' → 'running' change of start() is not what this test is about.
    poller.on('stateChange', (state: string) => states.push(state));
    await until(() => source.open.length === 2);
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    source.fail(refused);
    source.fail(refused);
    await until(() => source.open.length === 2);
    expect(poller.status()).toMatchObject({ state: 'running', healthy: true });
    now += 14_000;
    source.fail(refused);
    await until(() => source.open.length === 2);
    expect(poller.state).toBe('running');
    now += 2_000;
    source.fail(refused);
    await until(() => poller.state === 'failing');
    expect(poller.status()).toMatchObject({
      healthy: false,
      reason:
        'polls failing: no poll answered for 16 s; last error: GetActivityTask to http://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1',
    });
    await until(() => source.open.length === 2);
    source.answer();
    await until(() => poller.state === 'running');
    expect(poller.status().healthy).toBe(true);
    expect(states).toEqual(['failing', 'running']);
  });

  it('stays healthy after a short outage while its replacement polls are open (held by the service)', async () => {
    const { poller, source } = makePoller({ polls: 2, unhealthyAfterMs: 50 });
    poller.start();
    await until(() => source.open.length === 2);
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    source.fail(reset);
    source.fail(reset);
    await until(() => source.open.length === 2);
    await sleep(150);
    expect(poller.status()).toMatchObject({ state: 'running', healthy: true });
  });

  it('turns failing on time when every slot backs off (no credentials), without waiting for another failure', async () => {
    const { poller, source } = makePoller(
      { polls: 1, unhealthyAfterMs: 50, pollBackoffMaxMs: 60_000 },
      // Backoff near its cap: the slot sleeps about a second before its next poll.
      { random: () => 0.99 },
    );
    poller.start();
    await until(() => source.open.length === 1);
    source.fail(
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    );
    await until(() => poller.state === 'failing', 500);
    expect(source.open.length).toBe(0);
    expect(poller.status().reason).toContain('CredentialsProviderError: Could not load credentials');
  });

  it('backs off on throttling and polls again', async () => {
    const { poller, source } = makePoller({ polls: 2 });
    poller.start();
    await until(() => source.open.length === 2);
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    source.fail(throttled);
    source.fail(throttled);
    await until(() => source.open.length === 2);
    expect(poller.state).toBe('running');
  });

  it('shrinks on ActivityWorkerLimitExceeded', async () => {
    const { poller, source } = makePoller({ polls: 4 });
    poller.start();
    await until(() => source.open.length === 4);
    source.fail(Object.assign(new Error('limit'), { name: 'ActivityWorkerLimitExceeded' }));
    await until(() => poller.status().targetPolls === 3);
  });

  it('stops opening polls at the high-water mark and resumes below the low-water mark', async () => {
    const { poller, source, queue } = makePoller({ polls: 2, maxWaiting: 3, resumeBelow: 2 });
    poller.start();
    await until(() => source.open.length === 2);
    for (let i = 0; i < 3; i += 1) {
      await until(() => source.open.length > 0);
      source.answer({ taskToken: `bp-${i}` });
      await until(() => queue.jobs.size === i + 1);
    }
    await until(() => poller.state === 'backpressure');
    source.answerAll();
    await sleep(50);
    expect(source.open.length).toBe(0);
    queue.waiting = 2;
    await sleep(50);
    expect(poller.state).toBe('backpressure');
    queue.waiting = 1;
    await until(() => poller.state === 'running' && source.open.length === 2);
  });

  it('close() waits for open polls and stores what they bring', async () => {
    const { poller, source, queue } = makePoller({ polls: 2 });
    poller.start();
    await until(() => source.open.length === 2);
    const closing = poller.close();
    expect(poller.state).toBe('draining');
    source.answer({ taskToken: 'late' });
    let closed = false;
    void closing.then(() => (closed = true));
    await sleep(20);
    expect(closed).toBe(false);
    source.answer();
    await expect(closing).resolves.toEqual({ abandonedPolls: 0, abandonedTokens: 0, reportedOnClose: 0 });
    expect(queue.jobs.has(jobIdForToken('late'))).toBe(true);
    expect(source.calls).toBe(2);
    expect(poller.state).toBe('closed');
    expect(poller.close()).toBe(closing);
  });

  it('a forced close reports a token Redis has not stored, instead of leaving it to its timeout', async () => {
    const { poller, source, queue, reporter } = makePoller({ polls: 1, enqueueDeadlineMs: 60_000 });
    poller.start();
    await until(() => source.open.length === 1);
    queue.failAdds = true;
    source.answer({ taskToken: 'held' });
    await until(() => poller.heldTokens === 1 && queue.adds >= 1);
    const result = await poller.close({ force: true });
    expect(result).toEqual({ abandonedPolls: 0, abandonedTokens: 0, reportedOnClose: 1 });
    expect(reporter.failures).toHaveLength(1);
    expect(reporter.failures[0]).toMatchObject({ taskToken: 'held', error: ENQUEUE_FAILED_ERROR });
    expect(reporter.failures[0]?.cause).toContain('forced close');
    // The store loop stops: no add after the report.
    const adds = queue.adds;
    await sleep(300);
    expect(queue.adds).toBe(adds);
  });

  it('a drain that times out reports held tokens too, and counts those it could not report', async () => {
    const { poller, source, queue, reporter } = makePoller({ polls: 2, enqueueDeadlineMs: 60_000 });
    reporter.sendTaskFailure = (request) => {
      reporter.failures.push(request);
      return request.taskToken === 'b' ? Promise.reject(new Error('network down')) : Promise.resolve();
    };
    poller.start();
    await until(() => source.open.length === 2);
    queue.failAdds = true;
    source.answer({ taskToken: 'a' });
    source.answer({ taskToken: 'b' });
    await until(() => poller.heldTokens === 2);
    const result = await poller.close({ drainTimeoutMs: 50 });
    expect(result).toMatchObject({ abandonedTokens: 1, reportedOnClose: 1 });
    expect(reporter.failures.map((f) => f.taskToken).sort()).toEqual(['a', 'b']);
    expect(reporter.failures[0]?.cause).toContain('drain that timed out');
  });

  it('a forced close lets an add to a healthy Redis finish rather than report its token', async () => {
    const { poller, source, queue, reporter } = makePoller({ polls: 1 });
    let release: () => void = () => undefined;
    const slowAdd = queue.add.bind(queue);
    queue.add = (name, data, opts) =>
      new Promise((resolve) => (release = () => resolve(slowAdd(name, data, opts))));
    poller.start();
    await until(() => source.open.length === 1);
    source.answer({ taskToken: 'in-flight' });
    await until(() => poller.heldTokens === 1);
    const closing = poller.close({ force: true });
    setTimeout(() => release(), 100);
    await expect(closing).resolves.toMatchObject({ abandonedTokens: 0, reportedOnClose: 0 });
    expect(reporter.failures).toHaveLength(0);
    expect(queue.jobs.has(jobIdForToken('in-flight'))).toBe(true);
  });

  it('logs no poll warning for polls that fail after close() abandoned them', async () => {
    const lines: { level: number; msg: string }[] = [];
    const logger = pino(
      { level: 'debug' },
      { write: (line: string) => lines.push(JSON.parse(line) as { level: number; msg: string }) },
    );
    const { poller, source } = makePoller({ polls: 2 }, { logger });
    poller.start();
    await until(() => source.open.length === 2);
    await poller.close({ force: true });
    const closedAt = lines.length;
    // What a force-closed client does to the polls it carried.
    source.fail(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    source.fail(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    await sleep(20);
    expect(lines.slice(closedAt).filter((line) => line.level >= 40)).toEqual([]);
  });

  it('a forced close stops waiting and counts the polls it abandons', async () => {
    const { poller, source } = makePoller({ polls: 3 });
    poller.start();
    await until(() => source.open.length === 3);
    await expect(poller.close({ force: true })).resolves.toEqual({
      abandonedPolls: 3,
      abandonedTokens: 0,
      reportedOnClose: 0,
    });
  });
});
