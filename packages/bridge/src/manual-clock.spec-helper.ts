// A Clock the test moves by hand: `advance(ms)` fires the timers due, in order, letting the
// promise chains they start run between them, so timer-driven paths are tested without waiting.
import { setImmediate as turn } from 'node:timers/promises';
import type { Clock, ClockTimer } from './clock.js';

interface Pending {
  at: number;
  seq: number;
  callback: () => void;
}

export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly pending = new Set<Pending>();

  constructor(startMs = 1_000_000) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): ClockTimer {
    if (ms === Number.POSITIVE_INFINITY) return { cancel: () => undefined };
    const entry: Pending = { at: this.current + Math.max(0, ms), seq: (this.seq += 1), callback };
    this.pending.add(entry);
    return { cancel: () => this.pending.delete(entry) };
  }

  /** Timers waiting to fire. */
  get timers(): number {
    return this.pending.size;
  }

  /** Moves time on by `ms`, firing each timer due on the way at its own time. */
  async advance(ms: number): Promise<void> {
    const until = this.current + ms;
    await settle();
    for (;;) {
      const next = [...this.pending]
        .filter((entry) => entry.at <= until)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (next === undefined) break;
      this.pending.delete(next);
      this.current = Math.max(this.current, next.at);
      next.callback();
      await settle();
    }
    this.current = until;
    await settle();
  }
}

/** Lets promise chains (and the real I/O-free fakes) run to their next wait. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await turn();
}
