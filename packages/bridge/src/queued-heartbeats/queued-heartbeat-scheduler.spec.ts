// The scheduler on a clock the test moves, with plain fakes for the index, the duty lock and Step Functions.
import { jobIdForToken } from '@sfn-bullmq/protocol';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../manual-clock.spec-helper.js';
import { HeartbeatBudget } from './heartbeat-budget.js';
import {
  FakeIndex,
  FakeLock,
  FakeRemover,
  FakeSender,
  serviceError,
} from './queued-heartbeat-fakes.spec-helper.js';
import { QueuedHeartbeatMetrics } from './queued-heartbeat-metrics.js';
import { QueuedHeartbeatScheduler } from './queued-heartbeat-scheduler.js';

const labels = { activity: 'resize', queue: 'resize' };
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function setup(options: { perSecond?: number; intervalMs?: number } = {}) {
  const clock = new ManualClock();
  const index = new FakeIndex();
  const lock = new FakeLock();
  const sender = new FakeSender(() => clock.now());
  const remover = new FakeRemover();
  const registry = new Registry();
  const metrics = new QueuedHeartbeatMetrics(registry);
  const budget = new HeartbeatBudget(options.perSecond ?? 1_000, clock);
  const warnings: unknown[] = [];
  const logger = { info: () => undefined, warn: (fields: unknown) => warnings.push(fields) };
  const scheduler = new QueuedHeartbeatScheduler(
    { index, lock, sender, remover, budget, clock, logger: logger as never, metrics, labels },
    { intervalMs: options.intervalMs ?? 1_000 },
  );
  closers.push(() => scheduler.close());
  const value = async (name: string, extra: Record<string, string> = {}): Promise<number> => {
    const metric = registry.getSingleMetric(name);
    const values = (await metric?.get())?.values ?? [];
    return values
      .filter((v) => Object.entries(extra).every(([k, x]) => v.labels[k] === x))
      .reduce((sum, v) => sum + v.value, 0);
  };
  return { clock, index, lock, sender, remover, budget, scheduler, warnings, value };
}

/** Longest gap between a token's receipt and its heartbeats, and from its last heartbeat to `end`. */
function longestGap(times: number[], receivedAt: number, end: number): number {
  const points = [receivedAt, ...times, end];
  let gap = 0;
  for (let i = 1; i < points.length; i += 1) gap = Math.max(gap, points[i]! - points[i - 1]!);
  return gap;
}

describe('QueuedHeartbeatScheduler', () => {
  it('heartbeats every waiting token before it goes an interval without one, oldest first', async () => {
    const { clock, index, sender, scheduler } = setup({ intervalMs: 1_000 });
    const start = clock.now();
    for (let i = 0; i < 20; i += 1) index.add(`t${i}`, start - 10 * (20 - i));
    scheduler.start();
    await clock.advance(10_000);
    const first = sender.sent.slice(0, 20).map((s) => s.token);
    expect(first).toEqual(Array.from({ length: 20 }, (_, i) => `t${i}`));
    for (let i = 0; i < 20; i += 1) {
      const receivedAt = start - 10 * (20 - i);
      expect(longestGap(sender.times(`t${i}`), receivedAt, clock.now())).toBeLessThan(1_000);
    }
  });

  it('sends no heartbeat for a job a worker holds, and forgets a finished one', async () => {
    const { clock, index, sender, scheduler } = setup();
    index.add('active', clock.now(), 'active');
    index.add('done', clock.now(), 'gone');
    index.add('waiting', clock.now());
    scheduler.start();
    await clock.advance(3_000);
    expect(new Set(sender.sent.map((s) => s.token))).toEqual(new Set(['waiting']));
    expect(index.scores.has('done')).toBe(false);
    expect(index.scores.has('active')).toBe(true);
  });

  it('sends nothing while another bridge holds the duty, and takes over when it is free', async () => {
    const { clock, index, lock, sender, scheduler, value } = setup();
    lock.granted = false;
    index.add('a', clock.now());
    scheduler.start();
    await clock.advance(5_000);
    expect(sender.sent).toEqual([]);
    expect(await value('sfn_bullmq_bridge_queued_heartbeat_duty')).toBe(0);
    lock.granted = true;
    await clock.advance(2_000);
    expect(sender.sent.length).toBeGreaterThan(0);
    expect(await value('sfn_bullmq_bridge_queued_heartbeat_duty')).toBe(1);
    await scheduler.close();
    expect(lock.released).toBe(1);
  });

  it('keeps to its budget, and reports the tasks at risk with a warning when the budget is short', async () => {
    const { clock, index, sender, scheduler, warnings, value } = setup({ perSecond: 10, intervalMs: 1_000 });
    for (let i = 0; i < 50; i += 1) index.add(`t${i}`, clock.now());
    scheduler.start();
    await clock.advance(5_000);
    // 10 of burst, then 10 a second.
    expect(sender.sent.length).toBeLessThanOrEqual(10 + 10 * 5);
    expect(sender.sent.length).toBeGreaterThanOrEqual(10 * 5);
    expect(await value('sfn_bullmq_bridge_queued_heartbeat_tasks_at_risk')).toBeGreaterThan(0);
    expect(warnings).toEqual([expect.objectContaining({ queue: 'resize', tracked: 50 })]);
    // Warned at the first look already: 50 tokens every 750 ms need 67/s, the budget gives 10.
    expect(warnings[0]).toMatchObject({ neededPerSecond: 67, allowedPerSecond: 10 });
  });

  it('slows down when heartbeats are throttled, and tries the throttled tokens again', async () => {
    const { clock, index, sender, budget, scheduler, value } = setup({ perSecond: 100, intervalMs: 1_000 });
    for (let i = 0; i < 40; i += 1) index.add(`t${i}`, clock.now());
    let throttle = true;
    sender.answer = () => (throttle ? serviceError('ThrottlingException') : undefined);
    scheduler.start();
    await clock.advance(1_000);
    expect(budget.currentPerSecond).toBeLessThan(100);
    const whileThrottled = sender.sent.length;
    expect(
      await value('sfn_bullmq_bridge_queued_heartbeat_errors_total', { error: 'ThrottlingException' }),
    ).toBe(whileThrottled);
    throttle = false;
    await clock.advance(3_000);
    for (let i = 0; i < 40; i += 1) expect(sender.times(`t${i}`).length).toBeGreaterThan(0);
    expect(await value('sfn_bullmq_bridge_queued_heartbeats_total')).toBeGreaterThanOrEqual(40);
  });

  it('removes the job of a task a heartbeat finds closed, and leaves one a worker took meanwhile', async () => {
    const { clock, index, sender, remover, scheduler, value } = setup();
    index.add('closed', clock.now());
    index.add('taken', clock.now());
    index.add('open', clock.now());
    sender.answer = (token) => {
      if (token === 'open') return undefined;
      // A worker takes 'taken' while its heartbeat is on the way.
      if (token === 'taken') index.state.set('taken', 'active');
      return serviceError(token === 'closed' ? 'TaskTimedOut' : 'TaskDoesNotExist');
    };
    scheduler.start();
    await clock.advance(2_000);
    expect(remover.removed).toEqual([jobIdForToken('closed')]);
    expect(index.scores.has('closed')).toBe(false);
    expect(index.scores.has('taken')).toBe(false);
    expect(index.scores.has('open')).toBe(true);
    expect(await value('sfn_bullmq_bridge_queued_tasks_swept_total', { reason: 'TaskTimedOut' })).toBe(1);
    expect(await value('sfn_bullmq_bridge_queued_tasks_swept_total')).toBe(1);
  });

  it('closes once however often close() is called, waiting for heartbeats in flight', async () => {
    const { clock, index, lock, scheduler } = setup();
    index.add('a', clock.now());
    scheduler.start();
    await clock.advance(2_000);
    await Promise.all([scheduler.close(), scheduler.close()]);
    expect(lock.released).toBe(1);
    const timers = clock.timers;
    await clock.advance(5_000);
    expect(clock.timers).toBe(timers);
  });
});
