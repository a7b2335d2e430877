// The poll slots of one pool: `polls` loops that each wait at a gate until the pool lets them poll,
// keep one GetActivityTask open, hand its answer on and poll again; plus the target they shrink and grow.
import type { Logger } from 'pino';
import type { PolledTask } from '@sfn-bullmq/protocol';
import type { BridgeMetrics } from './bridge-metrics.js';
import type { Clock, ClockTimer } from './clock.js';
import { UNKNOWN_ERROR_BACKOFF_BASE_MS, describeError } from './poll-error-classifier.js';
import type { ActivityTaskSource } from './ports.js';

export interface PollSlotsDeps {
  activityArn: string;
  workerName: string;
  /** The configured number of slots, and the most the target grows back to. */
  polls: number;
  missingActivityRetryMs: number;
  source: ActivityTaskSource;
  log: Logger;
  metrics: BridgeMetrics;
  labels: { activity: string; queue: string };
  clock: Clock;
  /** Whether slot `slot` may poll now, `target` being the slots' current target. */
  mayPoll: (slot: number, target: number) => boolean;
  /** Whether the next poll is a probe of a missing activity (slot 0 only, after `missingActivityRetryMs`). */
  probing: () => boolean;
  /** Whether the pool is paused (a probe that slept into a pause does not poll). */
  paused: () => boolean;
  /** A poll answered; `probe`: it was opened while the activity was missing. */
  /** `pollStartedAt`: when the poll was opened, epoch ms (for a trace's poll span). */
  onAnswer: (task: PolledTask, probe: boolean, pollStartedAt: number) => void;
  /** A poll failed (not during stop()); returns how long this slot waits. `failures` counts this slot's failures in a row. */
  onError: (error: unknown, failures: number) => number;
}

/** Grow-back after ActivityWorkerLimitExceeded: one step every interval, a twentieth of `polls` each. */
export const GROW_INTERVAL_MS = 5_000;

export class PollSlots {
  private readonly deps: PollSlotsDeps;
  private readonly runs: Promise<void>[] = [];
  private gateWaiters: (() => void)[] = [];
  private openNow = 0;
  private targetNow: number;
  /** The fleet's ceiling (this bridge's share of the ARN's budget, fleet/fleet-lease.ts); none without a fleet. */
  private ceilingNow = Number.POSITIVE_INFINITY;
  private growTimer: ClockTimer | undefined;
  /** Sleeps under way, each removed when it ends, so stop() can cut them short (a slot backs off for hours without piling up). */
  private readonly sleeps = new Set<{ timer: ClockTimer; resolve: () => void }>();
  private stopRequested = false;

  constructor(deps: PollSlotsDeps) {
    this.deps = deps;
    this.targetNow = deps.polls;
  }

  /** GetActivityTask calls open now. */
  get open(): number {
    return this.openNow;
  }

  /** Polls the pool aims to keep open (lower than `polls` after ActivityWorkerLimitExceeded, or under the fleet's ceiling). */
  get target(): number {
    return Math.min(this.targetNow, this.ceilingNow);
  }

  /** Caps the target at the fleet's share; polls open above it come back on their own (never aborted). */
  setCeiling(ceiling: number): void {
    this.ceilingNow = ceiling;
    this.deps.metrics.targetPolls.set(this.deps.labels, this.target);
    this.wake();
  }

  /** stop() was called: no poll opens any more. */
  get stopping(): boolean {
    return this.stopRequested;
  }

  get started(): boolean {
    return this.runs.length > 0;
  }

  start(): void {
    this.deps.metrics.targetPolls.set(this.deps.labels, this.target);
    this.deps.metrics.openPolls.set(this.deps.labels, 0);
    for (let slot = 0; slot < this.deps.polls; slot += 1) this.spawn(slot);
  }

  /** Lets waiting slots re-check whether they may poll. Called only on transitions, not per token. */
  wake(): void {
    const waiters = this.gateWaiters;
    this.gateWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Opens no more polls and cuts every sleep short; resolves when every slot has returned (open polls answered). */
  stop(): Promise<void> {
    this.stopRequested = true;
    for (const entry of this.sleeps) {
      entry.timer.cancel();
      entry.resolve();
    }
    this.sleeps.clear();
    this.growTimer?.cancel();
    this.growTimer = undefined;
    this.wake();
    return Promise.all(this.runs).then(() => undefined);
  }

  /** ActivityWorkerLimitExceeded: others hold polls on this ARN too. Keep what we have, grow back slowly. */
  shrink(): void {
    const next = Math.max(1, Math.min(this.targetNow, this.openNow));
    if (next < this.targetNow) {
      this.deps.log.warn(
        { from: this.targetNow, to: next },
        'activity worker limit reached: shrinking the pool',
      );
      this.setTarget(next);
    }
    if (this.growTimer === undefined && !this.stopRequested) this.scheduleGrow();
  }

  private scheduleGrow(): void {
    this.growTimer = this.deps.clock.setTimeout(() => {
      this.growTimer = undefined;
      if (this.stopRequested) return;
      const step = Math.max(1, Math.ceil(this.deps.polls / 20));
      this.setTarget(Math.min(this.deps.polls, this.targetNow + step));
      if (this.targetNow < this.deps.polls) this.scheduleGrow();
      this.wake();
    }, GROW_INTERVAL_MS);
  }

  private setTarget(target: number): void {
    this.targetNow = target;
    this.deps.metrics.targetPolls.set(this.deps.labels, this.target);
  }

  private setOpen(count: number): void {
    this.openNow = count;
    this.deps.metrics.openPolls.set(this.deps.labels, count);
  }

  /** A pause that stop() cuts short (it is no poll, so cutting it loses nothing). */
  private sleep(ms: number): Promise<void> {
    if (this.stopRequested) return Promise.resolve();
    return new Promise((resolve) => {
      const entry = {
        timer: this.deps.clock.setTimeout(() => {
          this.sleeps.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.sleeps.add(entry);
    });
  }

  private gate(): Promise<void> {
    return new Promise((resolve) => this.gateWaiters.push(resolve));
  }

  private spawn(slot: number): void {
    this.runs[slot] = this.run(slot).catch(async (error: unknown) => {
      // A bug, not a poll error (those are caught in the loop). The slot comes back after a pause.
      this.deps.log.error({ err: error, slot }, 'poll slot failed unexpectedly; restarting it');
      await this.sleep(UNKNOWN_ERROR_BACKOFF_BASE_MS);
      if (!this.stopRequested) this.spawn(slot);
    });
  }

  private async run(slot: number): Promise<void> {
    const { deps } = this;
    let failures = 0;
    for (;;) {
      while (!this.stopRequested && !deps.mayPoll(slot, this.target)) await this.gate();
      if (this.stopRequested) return;
      // Slot 0 alone probes a missing activity, seldom, so a deleted one costs nothing.
      const probe = deps.probing();
      if (probe) {
        await this.sleep(deps.missingActivityRetryMs);
        if (this.stopRequested) return;
        if (deps.paused()) continue;
      }
      let task: PolledTask;
      this.setOpen(this.openNow + 1);
      const pollStartedAt = deps.clock.now();
      try {
        task = await deps.source.getActivityTask({
          activityArn: deps.activityArn,
          workerName: deps.workerName,
        });
      } catch (error) {
        this.setOpen(this.openNow - 1);
        if (this.stopRequested) {
          // close() abandoned it or closed its client: no news about Step Functions, so no warning after "closed".
          deps.log.debug({ error: describeError(error) }, 'a poll ended with an error during close');
          continue;
        }
        failures += 1;
        const delayMs = deps.onError(error, failures);
        if (delayMs > 0) await this.sleep(delayMs);
        continue;
      }
      this.setOpen(this.openNow - 1);
      failures = 0;
      deps.onAnswer(task, probe, pollStartedAt);
    }
  }
}
