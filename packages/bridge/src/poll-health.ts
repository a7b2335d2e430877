// Whether a pool's polls work: failing once no poll has been answered for `unhealthyAfterMs`
// while polls kept failing. Kept apart from the poller so the rule can be tested with a clock.
import { realClock, type Clock, type ClockTimer } from './clock.js';

export interface PollHealthOptions {
  unhealthyAfterMs: number;
  /** @default realClock */
  clock?: Clock;
  /** Called on each change of `failing` (never twice in a row with the same value). */
  onChange: (failing: boolean) => void;
}

/**
 * The rule: after a poll fails, the pool turns failing when `unhealthyAfterMs` have passed with no
 * poll answered (with or without a task) and the polls are still failing — a failure arrives after
 * that time, or no poll is open at that time (every slot is backing off). A poll that is merely open
 * is no failure: the service holds a poll up to 60 s, so after a short network blip the replacement
 * polls are open and quiet, and the pool stays healthy. Once failing, only an answered poll makes it
 * healthy again, since an open poll proves nothing until it answers.
 */
export class PollHealth {
  private readonly unhealthyAfterMs: number;
  private readonly clock: Clock;
  private readonly onChange: (failing: boolean) => void;
  /** The first failure since the last answered poll. */
  private failingSince: number | undefined;
  private lastFailureText: string | undefined;
  private isFailing = false;
  private timer: ClockTimer | undefined;
  private closed = false;

  constructor({ unhealthyAfterMs, clock = realClock, onChange }: PollHealthOptions) {
    this.unhealthyAfterMs = unhealthyAfterMs;
    this.clock = clock;
    this.onChange = onChange;
  }

  get failing(): boolean {
    return this.isFailing;
  }

  /** The last failure and how long no poll has been answered; undefined while healthy. */
  reason(): string | undefined {
    if (!this.isFailing || this.failingSince === undefined) return undefined;
    const seconds = Math.round((this.clock.now() - this.failingSince) / 1000);
    return `no poll answered for ${seconds} s; last error: ${this.lastFailureText ?? 'unknown'}`;
  }

  /** A poll failed; `openPolls` are the polls still open after it. */
  pollFailed(text: string, openPolls: () => number): void {
    if (this.closed) return;
    this.lastFailureText = text;
    if (this.failingSince === undefined) {
      this.failingSince = this.clock.now();
      this.timer = this.clock.setTimeout(() => {
        this.timer = undefined;
        // No failure since, and polls open: they may be held by the service. A later failure decides.
        if (openPolls() === 0) this.check(true);
      }, this.unhealthyAfterMs);
    }
    this.check(false);
  }

  /** A poll was answered (a task or an empty poll). */
  pollAnswered(): void {
    if (this.closed) return;
    this.failingSince = undefined;
    this.timer?.cancel();
    this.timer = undefined;
    if (this.isFailing) {
      this.isFailing = false;
      this.onChange(false);
    }
  }

  close(): void {
    this.closed = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** `timeIsUp`: called by the timer, which runs `unhealthyAfterMs` after the first failure. */
  private check(timeIsUp: boolean): void {
    if (this.isFailing || this.failingSince === undefined) return;
    if (!timeIsUp && this.clock.now() - this.failingSince < this.unhealthyAfterMs) return;
    this.isFailing = true;
    this.onChange(true);
  }
}
