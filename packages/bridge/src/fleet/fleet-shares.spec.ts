import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fleetGrant, fleetShares } from './fleet-shares.js';

const member = fc.record({
  id: fc.string({ minLength: 1, maxLength: 6 }),
  cap: fc.integer({ min: 1, max: 1000 }),
});
const fleet = fc.uniqueArray(member, { selector: (m) => m.id, maxLength: 12 });

describe('fleetShares', () => {
  it('splits 300 over three bridges as 100 each', () => {
    const shares = fleetShares(300, [
      { id: 'b', cap: 400 },
      { id: 'a', cap: 400 },
      { id: 'c', cap: 400 },
    ]);
    expect(Object.fromEntries(shares)).toEqual({ a: 100, b: 100, c: 100 });
  });

  it('hands the remainder to the first ids in sorted order', () => {
    const shares = fleetShares(301, [
      { id: 'c', cap: 400 },
      { id: 'a', cap: 400 },
      { id: 'b', cap: 400 },
    ]);
    expect(Object.fromEntries(shares)).toEqual({ a: 101, b: 100, c: 100 });
  });

  it('gives what a capped bridge cannot use to the others', () => {
    const shares = fleetShares(300, [
      { id: 'a', cap: 20 },
      { id: 'b', cap: 400 },
      { id: 'c', cap: 400 },
    ]);
    expect(Object.fromEntries(shares)).toEqual({ a: 20, b: 140, c: 140 });
  });

  it('never sums above the budget, never exceeds a cap, and uses the whole budget when the caps allow', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fleet, (budget, members) => {
        const shares = fleetShares(budget, members);
        const total = [...shares.values()].reduce((sum, n) => sum + n, 0);
        expect(total).toBeLessThanOrEqual(budget);
        for (const m of members) {
          expect(shares.get(m.id)).toBeGreaterThanOrEqual(0);
          expect(shares.get(m.id)).toBeLessThanOrEqual(m.cap);
        }
        const caps = members.reduce((sum, m) => sum + m.cap, 0);
        if (members.length > 0) expect(total).toBe(Math.min(budget, caps));
      }),
    );
  });

  it('is the same whatever order the members come in', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fleet, (budget, members) => {
        const reversed = fleetShares(budget, [...members].reverse());
        expect(fleetShares(budget, members)).toEqual(reversed);
      }),
    );
  });
});

describe('fleetGrant', () => {
  it('keeps the fleet at or under the budget for any holdings, each bridge granted in turn', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fleet,
        fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 12 }),
        (budget, members, start) => {
          // Holdings start anywhere at or under the budget (what the fleet held before a change).
          const holding = new Map<string, number>();
          let left = budget;
          members.forEach((m, index) => {
            const h = Math.min(left, start[index] ?? 0);
            holding.set(m.id, h);
            left -= h;
          });
          const shares = fleetShares(budget, members);
          for (const m of members) {
            const others = [...holding].reduce((sum, [id, h]) => (id === m.id ? sum : sum + h), 0);
            const grant = fleetGrant(shares.get(m.id) ?? 0, budget, others);
            // A bridge never aborts a poll: it holds the more of its grant and what it had open.
            holding.set(m.id, Math.max(holding.get(m.id) ?? 0, grant));
            const total = [...holding.values()].reduce((sum, h) => sum + h, 0);
            expect(total).toBeLessThanOrEqual(budget);
          }
        },
      ),
    );
  });

  it('grants nothing when the others hold the whole budget', () => {
    expect(fleetGrant(100, 300, 300)).toBe(0);
    expect(fleetGrant(100, 300, 250)).toBe(50);
    expect(fleetGrant(100, 300, 0)).toBe(100);
  });
});
