// The bridge's budget for queued heartbeats: a token bucket at `perSecond` (burst one second's worth)
// that halves its rate on throttling and climbs back over ten seconds, so it yields to the workers'
// own heartbeats in the shared account bucket (docs/step-functions.md#queued-heartbeats).
import type { Clock } from '../clock.js';

/** Seconds a halved rate takes to climb back to `perSecond` with no further throttling. */
const RECOVERY_SECONDS = 10;

export class HeartbeatBudget {
  private tokens: number;
  private updatedAt: number;
  /** The rate right after the last throttling, and when that was. */
  private floorRate: number;
  private throttledAt = Number.NEGATIVE_INFINITY;
  private readonly burst: number;
  private readonly minRate: number;

  constructor(
    readonly perSecond: number,
    private readonly clock: Pick<Clock, 'now'>,
  ) {
    this.burst = Math.max(1, perSecond);
    this.minRate = Math.min(1, perSecond);
    this.tokens = this.burst;
    this.updatedAt = clock.now();
    this.floorRate = perSecond;
  }

  /** Heartbeats per second allowed now: `perSecond`, or less while recovering from throttling. */
  get currentPerSecond(): number {
    return this.rateAt(this.clock.now());
  }

  /** Takes one heartbeat's worth if there is one. */
  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** How long until `tryTake()` can succeed (0 when it can now). */
  msUntilNext(): number {
    this.refill();
    if (this.tokens >= 1) return 0;
    return Math.ceil(((1 - this.tokens) / this.rateAt(this.clock.now())) * 1000);
  }

  /** The service answered ThrottlingException: halve the rate and spend what the bucket held. */
  throttled(): void {
    this.refill();
    const now = this.clock.now();
    this.floorRate = Math.max(this.minRate, this.rateAt(now) / 2);
    this.throttledAt = now;
    this.tokens = Math.min(this.tokens, 0);
  }

  private rateAt(now: number): number {
    const recovered = ((now - this.throttledAt) / 1000) * (this.perSecond / RECOVERY_SECONDS);
    return Math.min(this.perSecond, this.floorRate + recovered);
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsedS = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.burst, this.tokens + elapsedS * this.rateAt(now));
    this.updatedAt = now;
  }
}
