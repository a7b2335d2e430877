// One bridge's place in the fleet of one ARN: a lease renewed every third of its TTL, the share
// asked for, and the ceiling granted, handed to the pool (docs/architecture.md#fleet).
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Clock, ClockTimer } from '../clock.js';
import type { CompiledFleetOptions } from './fleet-options.js';
import type { FleetMetrics } from './fleet-metrics.js';
import { fleetShares } from './fleet-shares.js';
import type { FleetSnapshot, FleetStore } from './fleet-store.js';

export type FleetLeaseState =
  /** start() not called: ceiling 0. */
  | 'idle'
  /** The first renewal has not answered yet: ceiling 0, no poll open. */
  | 'joining'
  | 'live'
  /** The last renewal failed (Redis unreachable): the ceiling stays where it was, never grows. */
  | 'stale'
  | 'closed';

/** What `/readyz` and the status show of the fleet. */
export interface FleetStatus {
  state: FleetLeaseState;
  /** This bridge's id in the fleet. */
  id: string;
  /** Live bridges on the ARN, this one included (0 until the first renewal). */
  bridges: number;
  /** The fleet's budget (the lowest `fleetPolls` its bridges were given). */
  budgetPolls: number;
  /** What this bridge may open now. */
  sharePolls: number;
  /** Its fair share, which it grows into as others release room. */
  fairSharePolls: number;
  /** Open polls across the fleet, as each bridge last reported them. */
  fleetOpenPolls: number;
  /** Bridges gone without a goodbye whose polls may still be open. */
  ghosts: number;
  lastError?: string;
}

export interface FleetLeaseDeps {
  store: FleetStore;
  activityArn: string;
  /** Unique per process and ARN; the remainder of the split goes by sorted id. */
  id: string;
  /** This bridge's `polls`. */
  cap: number;
  /** This activity's `fleetPolls`. */
  budget: number;
  options: CompiledFleetOptions;
  clock: Clock;
  log: Logger;
  /** Polls the pool has open now. */
  openPolls: () => number;
  /** Applies a new ceiling to the pool, at once (before any further poll opens). */
  onCeiling: (ceiling: number) => void;
  metrics?: { gauges: FleetMetrics; labels: { activity: string; queue: string } };
}

/** Renewals in a row after one whose fair share moved, so a join or a leave settles without waiting. */
const MAX_ROUNDS = 3;
const ERROR_LOG_INTERVAL_MS = 5_000;

/**
 * Holds the lease and the share of one ARN for one bridge. Emits 'stateChange' (state). The ceiling grows
 * only after Redis recorded it; it shrinks at once, and the polls above it come back on their own.
 */
export class FleetLease extends EventEmitter {
  private readonly deps: FleetLeaseDeps;
  private currentState: FleetLeaseState = 'idle';
  private ceiling = 0;
  private want = 0;
  private snapshot: FleetSnapshot | undefined;
  private timer: ClockTimer | undefined;
  private cycling: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private draining = false;
  private lastError: string | undefined;
  private lastErrorLogAt = Number.NEGATIVE_INFINITY;

  constructor(deps: FleetLeaseDeps) {
    super();
    this.deps = deps;
  }

  get state(): FleetLeaseState {
    return this.currentState;
  }

  /** The ceiling granted: what the pool may open now. */
  get sharePolls(): number {
    return this.ceiling;
  }

  /** Joins the fleet; resolves after the first renewal, whether it worked or not (it retries on its own). */
  start(): Promise<void> {
    if (this.currentState !== 'idle') return this.cycling ?? Promise.resolve();
    this.setState('joining');
    this.deps.onCeiling(0);
    return this.cycle();
  }

  status(): FleetStatus {
    const members = this.snapshot?.members ?? [];
    const status: FleetStatus = {
      state: this.currentState,
      id: this.deps.id,
      bridges: members.length,
      budgetPolls: this.snapshot?.budget ?? this.deps.budget,
      sharePolls: this.ceiling,
      fairSharePolls: this.want,
      fleetOpenPolls: members.reduce((sum, m) => sum + m.open, 0),
      ghosts: this.snapshot?.ghosts ?? 0,
    };
    if (this.lastError !== undefined) status.lastError = this.lastError;
    return status;
  }

  /**
   * The pool drains: ask for nothing more, so the fleet sees only the polls still out and the others grow
   * into the room as they come back. Renews at once (unless a renewal is under way; the next one says it).
   */
  beginDrain(): void {
    if (this.draining || this.currentState === 'idle' || this.currentState === 'closed') return;
    this.draining = true;
    this.want = 0;
    this.ceiling = 0;
    this.deps.onCeiling(0);
    if (this.timer !== undefined) {
      this.timer.cancel();
      this.timer = undefined;
      void this.cycle();
    }
  }

  /**
   * Leaves the fleet: stops renewing and frees the share. Call it once the pool is drained; `openPolls`
   * still open (a drain that timed out) keep counting until they may have ended. Idempotent; never rejects.
   */
  close(): Promise<void> {
    this.closing ??= this.leave();
    return this.closing;
  }

  private async leave(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    const wasRunning = this.currentState !== 'idle';
    this.setState('closed');
    await this.cycling;
    if (!wasRunning) return;
    const { store, activityArn, id, options } = this.deps;
    try {
      await store.leave(activityArn, id, this.deps.openPolls(), options.pollHoldMs);
    } catch (error) {
      // The lease then runs out on its own: the share comes free a lease TTL and a poll hold later.
      this.deps.log.warn({ error: (error as Error).message }, 'fleet: leaving failed; the lease will expire');
    }
  }

  private cycle(): Promise<void> {
    const run = async (): Promise<void> => {
      try {
        for (let round = 0; round < MAX_ROUNDS; round += 1) {
          if (this.currentState === 'closed') return;
          if (!(await this.renew())) break;
        }
        if (this.currentState === 'closed') return;
        if (this.lastError !== undefined) {
          this.deps.log.info({ sharePolls: this.ceiling }, 'fleet: Redis answers again');
          this.lastError = undefined;
        }
        this.setState('live');
      } catch (error) {
        if (this.currentState === 'closed') return;
        this.lastError = (error as Error).message;
        const now = this.deps.clock.now();
        if (now - this.lastErrorLogAt >= ERROR_LOG_INTERVAL_MS) {
          this.lastErrorLogAt = now;
          this.deps.log.warn(
            { error: this.lastError, sharePolls: this.ceiling },
            'fleet: lease renewal failed; keeping the share as it is until Redis answers',
          );
        }
        this.setState('stale');
      }
      this.schedule();
    };
    this.cycling = run();
    return this.cycling;
  }

  /** Sooner while the share moves (growing into room, or polls above the ceiling still out), so it settles fast. */
  private schedule(): void {
    if (this.currentState === 'closed') return;
    const settling = this.ceiling !== this.want || this.deps.openPolls() > this.ceiling;
    const interval = this.deps.options.renewIntervalMs / (settling ? 3 : 1);
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = undefined;
      void this.cycle();
    }, interval);
  }

  /** One renewal; true when the fair share moved (so another renewal asks for the new one at once). */
  private async renew(): Promise<boolean> {
    const { deps } = this;
    const open = deps.openPolls();
    const snapshot = await deps.store.renew(deps.activityArn, {
      id: deps.id,
      cap: deps.cap,
      budget: deps.budget,
      // The most it may have open until the next renewal: the ceiling it polls under now, or more when
      // polls above a lowered ceiling have not come back yet.
      holding: Math.max(open, this.ceiling),
      open,
      want: this.want,
      leaseTtlMs: deps.options.leaseTtlMs,
      pollHoldMs: deps.options.pollHoldMs,
    });
    if (this.currentState === 'closed') return false;
    this.snapshot = snapshot;
    if (snapshot.grant !== this.ceiling) {
      deps.log.debug({ from: this.ceiling, to: snapshot.grant }, 'fleet: share changed');
      this.ceiling = snapshot.grant;
      deps.onCeiling(snapshot.grant);
    }
    const fair = this.draining ? 0 : (fleetShares(snapshot.budget, snapshot.members).get(deps.id) ?? 0);
    const moved = fair !== this.want;
    this.want = fair;
    this.updateMetrics();
    return moved;
  }

  private updateMetrics(): void {
    const metrics = this.deps.metrics;
    if (metrics === undefined) return;
    const status = this.status();
    metrics.gauges.bridges.set(metrics.labels, status.bridges);
    metrics.gauges.sharePolls.set(metrics.labels, status.sharePolls);
    metrics.gauges.openPolls.set(metrics.labels, status.fleetOpenPolls);
    metrics.gauges.budgetPolls.set(metrics.labels, status.budgetPolls);
  }

  private setState(next: FleetLeaseState): void {
    if (next === this.currentState) return;
    const previous = this.currentState;
    this.currentState = next;
    this.deps.log.info({ from: previous, to: next, sharePolls: this.ceiling }, 'fleet lease state changed');
    this.emit('stateChange', next);
  }
}
