import { describe, expect, it } from 'vitest';
import { ManualClock } from '../manual-clock.spec-helper.js';
import { HeartbeatBudget } from './heartbeat-budget.js';

function takeAll(budget: HeartbeatBudget): number {
  let taken = 0;
  while (budget.tryTake()) taken += 1;
  return taken;
}

describe('HeartbeatBudget', () => {
  it('allows a burst of one second, then perSecond', async () => {
    const clock = new ManualClock();
    const budget = new HeartbeatBudget(20, clock);
    expect(takeAll(budget)).toBe(20);
    expect(budget.msUntilNext()).toBe(50);
    await clock.advance(500);
    expect(takeAll(budget)).toBe(10);
    await clock.advance(10_000);
    expect(takeAll(budget)).toBe(20);
  });

  it('halves its rate on throttling and climbs back to perSecond over ten seconds', async () => {
    const clock = new ManualClock();
    const budget = new HeartbeatBudget(100, clock);
    takeAll(budget);
    budget.throttled();
    expect(budget.currentPerSecond).toBe(50);
    expect(budget.tryTake()).toBe(false);
    budget.throttled();
    expect(budget.currentPerSecond).toBe(25);
    await clock.advance(1_000);
    expect(budget.currentPerSecond).toBeCloseTo(35);
    await clock.advance(10_000);
    expect(budget.currentPerSecond).toBe(100);
  });

  it('never falls below one per second however often it is throttled', () => {
    const clock = new ManualClock();
    const budget = new HeartbeatBudget(10, clock);
    for (let i = 0; i < 20; i += 1) budget.throttled();
    expect(budget.currentPerSecond).toBe(1);
  });
});
