// One queue's queued heartbeats: while this bridge holds the queue's duty, sends SendTaskHeartbeat for its
// waiting tokens oldest first within the budget, and sweeps jobs whose task a heartbeat found closed
// (docs/step-functions.md#queued-heartbeats). Never touches a poll: its own client, its own timers.
import {
  isTaskGoneError,
  isThrottlingError,
  jobIdForToken,
  sfnErrorName,
  tokenDigest,
} from '@sfn-bullmq/protocol';
import type { Logger } from 'pino';
import type { Clock, ClockTimer } from '../clock.js';
import type { HeartbeatBudget } from './heartbeat-budget.js';
import type { QueuedHeartbeatMetrics } from './queued-heartbeat-metrics.js';
import type { DutyLock, HeartbeatSender, JobRemover, QueuedTaskIndex } from './ports.js';

export interface QueuedHeartbeatSchedulerOptions {
  /** The longest a waiting token may go without a heartbeat; each is sent at three quarters of it. */
  intervalMs: number;
  /** @default intervalMs / 8, within 50–1,000 ms */
  tickMs?: number;
  /** Due tokens read from the index at a time. @default 200 */
  batchSize?: number;
  /** Heartbeats in flight at once. @default 32 */
  maxInFlight?: number;
  /** Least time between two warnings that tasks are at risk. @default 30_000 */
  warnIntervalMs?: number;
}

export interface QueuedHeartbeatSchedulerDeps {
  index: QueuedTaskIndex;
  lock: DutyLock;
  sender: HeartbeatSender;
  remover: JobRemover;
  /** Shared by every queue of one bridge. */
  budget: HeartbeatBudget;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn'>;
  metrics?: QueuedHeartbeatMetrics;
  labels: { activity: string; queue: string };
}

export class QueuedHeartbeatScheduler {
  readonly intervalMs: number;
  /** Age at which a token is due for its next heartbeat. */
  readonly dueAfterMs: number;
  readonly tickMs: number;
  private readonly batchSize: number;
  private readonly maxInFlight: number;
  private readonly warnIntervalMs: number;
  private running = false;
  private holdsDuty = false;
  private timer: ClockTimer | undefined;
  private ticking: Promise<void> | undefined;
  private readonly pending: string[] = [];
  /** Tokens pending or in flight, so a read of the index does not queue them twice. */
  private readonly known = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private lastWarnAt = Number.NEGATIVE_INFINITY;
  private lastErrorLogAt = Number.NEGATIVE_INFINITY;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly deps: QueuedHeartbeatSchedulerDeps,
    options: QueuedHeartbeatSchedulerOptions,
  ) {
    this.intervalMs = options.intervalMs;
    this.dueAfterMs = Math.floor((options.intervalMs * 3) / 4);
    this.tickMs = options.tickMs ?? Math.min(1_000, Math.max(50, Math.floor(options.intervalMs / 8)));
    this.batchSize = options.batchSize ?? 200;
    this.maxInFlight = options.maxInFlight ?? 32;
    this.warnIntervalMs = options.warnIntervalMs ?? 30_000;
  }

  start(): void {
    if (this.running || this.closing !== undefined) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops ticking, waits for heartbeats in flight, gives the duty up. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.running = false;
      this.timer?.cancel();
      await this.ticking;
      await Promise.allSettled([...this.inFlight]);
      if (this.holdsDuty) {
        this.holdsDuty = false;
        await this.deps.lock.release().catch((error: unknown) => this.logError('releasing the duty', error));
      }
      this.deps.metrics?.duty.set(this.deps.labels, 0);
    })();
    return this.closing;
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.timer = this.deps.clock.setTimeout(() => {
      let next = this.tickMs;
      this.ticking = this.tick()
        .then((ms) => {
          next = ms;
        })
        .finally(() => {
          this.ticking = undefined;
          this.schedule(next);
        });
    }, ms);
  }

  /** One round: hold the duty, read what is due, send within the budget, report. Returns the next delay. */
  private async tick(): Promise<number> {
    const { lock, metrics, labels, budget } = this.deps;
    try {
      this.holdsDuty = await lock.hold();
    } catch (error) {
      this.holdsDuty = false;
      this.logError('holding the duty', error);
    }
    metrics?.duty.set(labels, this.holdsDuty ? 1 : 0);
    if (!this.holdsDuty) {
      // Another bridge heartbeats this queue; what we meant to send is its to send.
      for (const token of this.pending.splice(0)) this.known.delete(token);
      return this.tickMs;
    }
    try {
      const now = this.deps.clock.now();
      if (this.pending.length < this.batchSize) await this.readDue(now);
      this.drain();
      await this.report(now);
    } catch (error) {
      this.logError('reading the queued-heartbeat index', error);
    }
    metrics?.ratePerSecond.set(budget.currentPerSecond);
    if (this.pending.length === 0) return this.tickMs;
    return Math.min(this.tickMs, Math.max(5, budget.msUntilNext()));
  }

  private async readDue(now: number): Promise<void> {
    const { index } = this.deps;
    const due = await index.due(now - this.dueAfterMs, this.batchSize + this.known.size);
    const fresh = due.filter((token) => !this.known.has(token)).slice(0, this.batchSize);
    if (fresh.length === 0) return;
    const states = await index.states(fresh);
    const writes: Promise<void>[] = [];
    fresh.forEach((token, i) => {
      const state = states[i];
      if (state === 'queued') {
        this.pending.push(token);
        this.known.add(token);
      } else if (state === 'active') {
        // The worker heartbeats it now; look again later, in case it comes back (a retry, a stalled job).
        writes.push(index.touch(token, now));
      } else {
        writes.push(index.forget(token));
      }
    });
    await Promise.all(writes);
  }

  private drain(): void {
    while (
      this.running &&
      this.holdsDuty &&
      this.pending.length > 0 &&
      this.inFlight.size < this.maxInFlight &&
      this.deps.budget.tryTake()
    ) {
      this.send(this.pending.shift() as string);
    }
  }

  private send(token: string): void {
    const { sender, index, metrics, labels, budget } = this.deps;
    const sentAt = this.deps.clock.now();
    const call: Promise<void> = sender
      .sendTaskHeartbeat({ taskToken: token })
      .then(
        async () => {
          metrics?.sent.inc(labels);
          await index.touch(token, sentAt);
        },
        async (error: unknown) => {
          metrics?.errors.inc({ ...labels, error: sfnErrorName(error) || 'other' });
          if (isTaskGoneError(error)) return this.sweep(token, sfnErrorName(error));
          // Throttled: slow down. Either way the token stays due and is read again, oldest first.
          if (isThrottlingError(error)) budget.throttled();
          else this.logError('SendTaskHeartbeat for a queued task', error);
        },
      )
      .catch((error: unknown) => this.logError('recording a queued heartbeat', error))
      .finally(() => {
        this.known.delete(token);
        this.inFlight.delete(call);
        this.drain();
      });
    this.inFlight.add(call);
  }

  /**
   * The task is closed: remove its job if it still waits. BullMQ's `remove` refuses a job a worker has
   * locked, so a worker that took it meanwhile keeps it (and meets TaskTimedOut on its report); the state
   * is read again first, so a job finished meanwhile keeps its record.
   */
  private async sweep(token: string, reason: string): Promise<void> {
    const { index, remover, metrics, labels, logger } = this.deps;
    const [state] = await index.states([token]);
    if (state === 'queued') {
      const jobId = jobIdForToken(token);
      if ((await remover.remove(jobId)) === 1) {
        metrics?.swept.inc({ ...labels, reason });
        logger.info(
          { queue: labels.queue, jobId, token: tokenDigest(token), reason },
          'removed a waiting job whose task is closed (a queued heartbeat was answered with %s)',
          reason,
        );
      }
    }
    await index.forget(token);
  }

  private async report(now: number): Promise<void> {
    const { index, metrics, labels, budget, logger } = this.deps;
    const [tracked, atRisk] = await Promise.all([index.size(), index.countBefore(now - this.intervalMs)]);
    metrics?.tracked.set(labels, tracked);
    metrics?.atRisk.set(labels, atRisk);
    const neededPerSecond = tracked / (this.dueAfterMs / 1000);
    const allowed = budget.currentPerSecond;
    if ((atRisk > 0 || neededPerSecond > allowed) && now - this.lastWarnAt >= this.warnIntervalMs) {
      this.lastWarnAt = now;
      logger.warn(
        {
          queue: labels.queue,
          atRisk,
          tracked,
          neededPerSecond: Math.round(neededPerSecond),
          allowedPerSecond: Math.round(allowed),
          intervalMs: this.intervalMs,
        },
        'queued heartbeats cannot keep up: %d waiting tasks went longer than %d ms without one (raise queuedHeartbeatsPerSecond, or lower maxWaiting)',
        atRisk,
        this.intervalMs,
      );
    }
  }

  private logError(what: string, error: unknown): void {
    const now = this.deps.clock.now();
    if (now - this.lastErrorLogAt < 5_000) return;
    this.lastErrorLogAt = now;
    this.deps.logger.warn(
      { queue: this.deps.labels.queue, error: error instanceof Error ? error.message : String(error) },
      `queued heartbeats: ${what} failed`,
    );
  }
}
