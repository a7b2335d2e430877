import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../manual-clock.spec-helper.js';
import { FleetLease } from './fleet-lease.js';
import { compileFleetOptions } from './fleet-options.js';
import type { FleetRenewal, FleetSnapshot, FleetStore } from './fleet-store.js';

const ARN = 'arn:aws:states:us-east-1:123456789012:activity:unit';

/** A store that answers from a fleet the test sets: others' holdings, and whether Redis answers. */
class FakeStore implements FleetStore {
  readonly renewals: FleetRenewal[] = [];
  readonly leaves: { id: string; open: number }[] = [];
  others: { id: string; cap: number; held: number }[] = [];
  down = false;

  renew(_arn: string, r: FleetRenewal): Promise<FleetSnapshot> {
    if (this.down) return Promise.reject(new Error('Connection is closed.'));
    this.renewals.push(r);
    const othersHeld = this.others.reduce((sum, m) => sum + m.held, 0);
    const grant = Math.max(0, Math.min(r.want, r.cap, r.budget - othersHeld));
    return Promise.resolve({
      grant,
      budget: r.budget,
      ghosts: 0,
      ghostHeld: 0,
      members: [
        ...this.others.map((m) => ({ ...m, open: m.held })),
        { id: r.id, cap: r.cap, held: Math.max(r.holding, grant), open: r.open },
      ],
    });
  }

  leave(_arn: string, id: string, open: number): Promise<void> {
    this.leaves.push({ id, open });
    return Promise.resolve();
  }
}

function setup(options: { open?: number } = {}) {
  const clock = new ManualClock();
  const store = new FakeStore();
  const pool = { open: options.open ?? 0, ceilings: [] as number[] };
  const lease = new FleetLease({
    store,
    activityArn: ARN,
    id: 'me',
    cap: 400,
    budget: 300,
    options: compileFleetOptions({ leaseTtlMs: 3_000, pollHoldMs: 2_000 }).value,
    clock,
    log: pino({ level: 'silent' }),
    openPolls: () => pool.open,
    onCeiling: (ceiling) => pool.ceilings.push(ceiling),
  });
  return { clock, store, pool, lease };
}

describe('FleetLease', () => {
  it('joins at 0 and asks for its fair share at once, so a lone bridge takes the whole budget', async () => {
    const { store, pool, lease } = setup();
    await lease.start();
    expect(store.renewals.map((r) => r.want)).toEqual([0, 300]);
    expect(pool.ceilings).toEqual([0, 300]);
    expect(lease.status()).toMatchObject({ state: 'live', bridges: 1, sharePolls: 300, budgetPolls: 300 });
  });

  it('renews every third of the lease TTL at rest', async () => {
    const { clock, store, lease } = setup();
    await lease.start();
    const after = store.renewals.length;
    await clock.advance(999);
    expect(store.renewals.length).toBe(after);
    await clock.advance(1);
    expect(store.renewals.length).toBe(after + 1);
    await clock.advance(3_000);
    expect(store.renewals.length).toBe(after + 4);
  });

  it('shrinks to its share as bridges join and reports the polls still above it as held', async () => {
    const { clock, store, pool, lease } = setup();
    await lease.start();
    pool.open = 250;
    store.others = [
      { id: 'a', cap: 400, held: 0 },
      { id: 'b', cap: 400, held: 0 },
    ];
    await clock.advance(1_000);
    expect(lease.sharePolls).toBe(100);
    // It asked while polling under a ceiling of 300 (250 open, more could open before the answer came).
    expect(store.renewals.at(-1)).toMatchObject({ want: 100, holding: 300, open: 250 });
    // Then 250 polls are still out above the new ceiling of 100: it holds them until they come back.
    await clock.advance(400);
    expect(store.renewals.at(-1)).toMatchObject({ want: 100, holding: 250, open: 250 });
    pool.open = 100;
    await clock.advance(1_000);
    expect(store.renewals.at(-1)).toMatchObject({ holding: 100, open: 100 });
  });

  it('grows only into the room the others leave', async () => {
    const { clock, store, lease } = setup();
    store.others = [
      { id: 'a', cap: 400, held: 150 },
      { id: 'b', cap: 400, held: 150 },
    ];
    await lease.start();
    expect(lease.status()).toMatchObject({ sharePolls: 0, fairSharePolls: 100 });
    store.others[0]!.held = 120;
    await clock.advance(1_000);
    expect(lease.sharePolls).toBe(30);
    store.others = store.others.map((m) => ({ ...m, held: 100 }));
    await clock.advance(1_000);
    expect(lease.sharePolls).toBe(100);
  });

  it('keeps its share while Redis does not answer, and goes on once it does', async () => {
    const { clock, store, pool, lease } = setup();
    await lease.start();
    store.down = true;
    store.others = [{ id: 'a', cap: 400, held: 0 }];
    await clock.advance(5_000);
    expect(lease.status()).toMatchObject({ state: 'stale', sharePolls: 300 });
    expect(lease.status().lastError).toMatch(/closed/);
    expect(pool.ceilings.at(-1)).toBe(300);
    store.down = false;
    await clock.advance(1_000);
    expect(lease.status()).toMatchObject({ state: 'live', sharePolls: 150 });
  });

  it('never grows while Redis is away, even from a share of 0', async () => {
    const { clock, store, pool, lease } = setup();
    store.down = true;
    await lease.start();
    await clock.advance(10_000);
    expect(lease.status()).toMatchObject({ state: 'stale', sharePolls: 0 });
    expect(pool.ceilings).toEqual([0]);
  });

  it('leaves once on close, with the polls still open, and renews no more', async () => {
    const { clock, store, pool, lease } = setup();
    await lease.start();
    pool.open = 7;
    await Promise.all([lease.close(), lease.close()]);
    expect(store.leaves).toEqual([{ id: 'me', open: 7 }]);
    const count = store.renewals.length;
    await clock.advance(10_000);
    expect(store.renewals.length).toBe(count);
    expect(clock.timers).toBe(0);
    expect(lease.state).toBe('closed');
  });
});
