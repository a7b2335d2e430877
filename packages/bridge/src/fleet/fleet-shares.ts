// The fair part of the fleet's poll budget: how many polls each live bridge on one ARN should hold.
// Pure, so every bridge computes the same answer from the same snapshot (docs/architecture.md#fleet).

/** One live bridge as the fleet sees it: its id and the most polls it can use (its own `polls`). */
export interface FleetMemberCap {
  id: string;
  cap: number;
}

/**
 * Splits `budget` evenly over `members`, each capped by its `cap` (what a capped bridge cannot use
 * goes to the others), the remainder one poll each to the first ids in sorted order. The result has
 * every member, sums to at most `budget`, and is the same whatever order `members` come in.
 */
export function fleetShares(budget: number, members: readonly FleetMemberCap[]): Map<string, number> {
  const shares = new Map<string, number>();
  let active = [...members].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  let remaining = Math.max(0, Math.floor(budget));
  while (active.length > 0) {
    const base = Math.floor(remaining / active.length);
    const capped = active.filter((member) => member.cap <= base);
    if (capped.length === 0) {
      // Every cap is above `base`, so base + 1 fits every one of them.
      const extra = remaining - base * active.length;
      active.forEach((member, index) => shares.set(member.id, base + (index < extra ? 1 : 0)));
      break;
    }
    for (const member of capped) {
      const share = Math.max(0, member.cap);
      shares.set(member.id, share);
      remaining -= share;
    }
    active = active.filter((member) => member.cap > base);
  }
  return shares;
}

/** What a bridge may hold now: its fair share, but never more than the room the others leave in the budget. */
export function fleetGrant(share: number, budget: number, othersHolding: number): number {
  return Math.max(0, Math.min(share, budget - othersHolding));
}
