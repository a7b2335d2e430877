// The back-pressure gate of one pool: an estimate of the waiting jobs, kept from our own adds and
// corrected by reads of the queue's counts, closing the gate at `maxWaiting` and opening it below `resumeBelow`.
import type { Logger } from 'pino';
import type { CompiledActivityPollerOptions } from './bridge-options.js';
import type { BridgeMetrics } from './bridge-metrics.js';
import { withTimeout, type Clock, type ClockTimer } from './clock.js';
import type { ActivityJobQueue } from './ports.js';

export interface BackpressureDeps {
  options: Pick<
    CompiledActivityPollerOptions,
    'maxWaiting' | 'resumeBelow' | 'backpressureCheckIntervalMs' | 'enqueueAttemptTimeoutMs'
  >;
  queue: Pick<ActivityJobQueue, 'getJobCounts'>;
  log: Logger;
  metrics: BridgeMetrics;
  labels: { activity: string; queue: string };
  clock: Clock;
  /** Tokens held, not yet stored: adds in flight count as waiting jobs. */
  heldTokens: () => number;
  /** The gate may have changed; `opened`: it opened, so waiting slots may poll. */
  onChange: (opened: boolean) => void;
}

/** A confirmed-full queue is re-read this often at most, so polling resumes soon after it drains. */
const FULL_REREAD_MAX_MS = 250;

export class Backpressure {
  private readonly deps: BackpressureDeps;
  private engagedNow = false;
  /** The count passed the high-water mark by our own estimate; polls wait until Redis confirms. */
  private suspectFull = false;
  private counting = false;
  private waitingEstimate = 0;
  private addsSinceCount = 0;
  private readonly countEveryAdds: number;
  private tick: ClockTimer | undefined;
  private reread: ClockTimer | undefined;
  private closed = false;

  constructor(deps: BackpressureDeps) {
    this.deps = deps;
    this.countEveryAdds = Math.max(1, Math.floor(deps.options.maxWaiting / 10));
  }

  /** Redis confirmed the queue at its high-water mark, and it has not yet fallen below the low-water mark. */
  get engaged(): boolean {
    return this.engagedNow;
  }

  /** No new poll may open: the queue is full, or may be by our own estimate. */
  get blocking(): boolean {
    return this.engagedNow || this.suspectFull;
  }

  /** Reads the count now and every `backpressureCheckIntervalMs`. */
  start(): void {
    this.deps.metrics.backpressure.set(this.deps.labels, 0);
    this.scheduleTick();
    this.count();
  }

  /** A token was taken in: set before the slot loops back, so no poll opens past the mark. */
  noteHeld(held: number): void {
    if (!this.engagedNow && this.waitingEstimate + held >= this.deps.options.maxWaiting)
      this.suspectFull = true;
  }

  /** A token was stored: one more waiting job by our count. */
  noteStored(held: number): void {
    this.waitingEstimate += 1;
    this.addsSinceCount += 1;
    if (this.waitingEstimate >= this.deps.options.maxWaiting && !this.engagedNow) {
      // Our own count says full; hold new polls until Redis confirms, so the mark is not overshot by much.
      this.suspectFull = true;
      this.count();
    } else if (this.addsSinceCount >= this.countEveryAdds || (this.suspectFull && held === 0)) {
      this.count();
    }
  }

  close(): void {
    this.closed = true;
    this.tick?.cancel();
    this.reread?.cancel();
  }

  private scheduleTick(): void {
    this.tick = this.deps.clock.setTimeout(() => {
      if (this.closed) return;
      this.scheduleTick();
      this.count();
    }, this.deps.options.backpressureCheckIntervalMs);
  }

  /** Reads the waiting count (at most one read in flight), then opens or closes the gate. */
  private count(): void {
    if (this.counting || this.closed) return;
    const { options, log, metrics, labels, clock } = this.deps;
    this.counting = true;
    this.addsSinceCount = 0;
    withTimeout(
      clock,
      this.deps.queue.getJobCounts('waiting', 'prioritized'),
      options.enqueueAttemptTimeoutMs,
      'counting waiting jobs',
    )
      .then((counts) => {
        const waiting = (counts['waiting'] ?? 0) + (counts['prioritized'] ?? 0);
        this.waitingEstimate = waiting;
        const wasBlocked = this.blocking;
        // Adds still in flight will be waiting jobs too; stay suspicious until they land and are counted.
        this.suspectFull =
          !this.engagedNow &&
          waiting < options.maxWaiting &&
          waiting + this.deps.heldTokens() >= options.maxWaiting;
        if (!this.engagedNow && waiting >= options.maxWaiting) {
          this.engagedNow = true;
          metrics.backpressure.set(labels, 1);
          log.warn(
            { waiting, maxWaiting: options.maxWaiting },
            'queue at its high-water mark: opening no new polls',
          );
        } else if (this.engagedNow && waiting < options.resumeBelow) {
          this.engagedNow = false;
          metrics.backpressure.set(labels, 0);
          log.info(
            { waiting, resumeBelow: options.resumeBelow },
            'queue below its low-water mark: polling resumes',
          );
        }
        this.deps.onChange(wasBlocked && !this.blocking);
      })
      .catch(() => {
        // Redis trouble shows in the enqueue path; keep the last known state.
        if (this.suspectFull) {
          this.suspectFull = false;
          this.deps.onChange(true);
        }
      })
      .finally(() => {
        this.counting = false;
        if (this.engagedNow && !this.closed) {
          this.reread?.cancel();
          this.reread = clock.setTimeout(
            () => this.count(),
            Math.min(FULL_REREAD_MAX_MS, options.backpressureCheckIntervalMs),
          );
        }
      });
  }
}
