// One pool of long polls for one activity ARN: keeps `polls` GetActivityTask calls open, turns every
// token into exactly one BullMQ job, and holds back when Redis cannot keep up. It composes the parts
// (poll slots, poll-error classifier, held tokens, back-pressure, poll health) and holds the one state.
// Just over 400 lines: what is left is the wiring between those parts and the one state union; each part
// it composes lives in its own file.
import { EventEmitter } from 'node:events';
import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';
import type { PolledTask } from '@sfn-bullmq/protocol';
import { Backpressure } from './backpressure.js';
import type { CompiledActivityPollerOptions } from './bridge-options.js';
import { BridgeMetrics } from './bridge-metrics.js';
import { realClock, sleep, type Clock } from './clock.js';
import { HeldTokens } from './held-tokens.js';
import { classifyPollError, describeError } from './poll-error-classifier.js';
import { PollHealth } from './poll-health.js';
import { PollSlots } from './poll-slots.js';
import type { ActivityJobQueue, ActivityTaskSource, TaskFailureReporter } from './ports.js';
import type { TokenObserver } from './token-observer.js';

export type ActivityPollerState =
  /** Built, `start()` not called yet: no poll open. */
  | 'idle'
  | 'running'
  | 'backpressure'
  /** Tokens wait in memory for Redis; no new polls open. */
  | 'holding'
  /** The activity does not exist (or the ARN is invalid); one poll probes now and then. */
  | 'stopped'
  /** Told to open no polls (`pause()`): the bridge found a Redis that would lose jobs. */
  | 'paused'
  /** Polls keep failing and none has been answered for `unhealthyAfterMs` (unreachable, no credentials, 5xx…). */
  | 'failing'
  | 'draining'
  | 'closed';

export interface ActivityStatus {
  activityArn: string;
  queueName: string;
  state: ActivityPollerState;
  /** False while the pool cannot do its work: not started, activity missing, paused, polls failing, tokens held for Redis, draining or closed. */
  healthy: boolean;
  /** Why the pool is not healthy, when it is not (names the failing call and its last error). */
  reason?: string;
  openPolls: number;
  targetPolls: number;
  heldTokens: number;
  lastError?: string;
}

export interface ActivityPollerDeps {
  source: ActivityTaskSource;
  reporter: TaskFailureReporter;
  queue: ActivityJobQueue;
  /** Sent with every poll. */
  workerName: string;
  /** @default a pino logger at level 'info' named 'sfn-bullmq-bridge', as the Bridge's */
  logger?: Logger;
  /** Shared by every pool of one registry (prom-client forbids duplicate names). @default metrics in a new Registry */
  metrics?: BridgeMetrics;
  /** Watches each token's way into Redis (tracing: `bridgeTracing()` from `@sfn-bullmq/bridge/tracing`). @default none */
  tokenObserver?: TokenObserver | undefined;
  /** For tests of the jitter. @default Math.random */
  random?: () => number;
  /** For tests of every timer-driven path (deadlines, re-reads, probes, grow-back, the health rule). @default realClock */
  clock?: Clock;
  /**
   * How a poll error is introduced in the status and the logs, naming the call and where it goes,
   * e.g. `GetActivityTask to http://127.0.0.1:8083`. @default 'GetActivityTask'
   */
  pollDescription?: string;
}

export interface ActivityPollerCloseOptions {
  /**
   * Stop waiting for open polls and held tokens at once. Open polls are abandoned (counted in the log);
   * held tokens get one SendTaskFailure each (bounded by `closeReportTimeoutMs`) so their tasks fail now.
   */
  force?: boolean;
  /** How long to wait for open polls and held tokens. @default Infinity */
  drainTimeoutMs?: number;
}

/** What close() left behind, for the caller's log line. */
export interface ActivityPollerCloseResult {
  abandonedPolls: number;
  /** Tokens neither stored nor reported: their tasks wait for TimeoutSeconds. */
  abandonedTokens: number;
  /** Tokens not stored by close's deadline (or a forced close) and reported with SendTaskFailure instead. */
  reportedOnClose: number;
}

const ERROR_LOG_INTERVAL_MS = 5_000;

/**
 * One pool of `polls` poll slots on one activity ARN. Each slot polls, hands a token to the held
 * tokens and polls again at once, unless back-pressure, held tokens or a shrunken target say wait.
 * No error ends a slot for good. Takes options compiled by `compileActivityPollerOptions()` (the
 * Bridge's). Emits 'stateChange' (state), logged once per change.
 */
export class ActivityPoller extends EventEmitter {
  readonly options: CompiledActivityPollerOptions;
  private readonly workerName: string;
  private readonly log: Logger;
  private readonly metrics: BridgeMetrics;
  private readonly random: () => number;
  private readonly clock: Clock;
  private readonly labels: { activity: string; queue: string };
  private readonly pollDescription: string;
  private readonly health: PollHealth;
  private readonly slots: PollSlots;
  private readonly held: HeldTokens;
  private readonly backpressure: Backpressure;

  /** The last state emitted, so each change is emitted and logged once; `state` computes the current one. */
  private lastState: ActivityPollerState = 'idle';
  private closing: Promise<ActivityPollerCloseResult> | undefined;
  private closeResult: ActivityPollerCloseResult | undefined;
  private forceNow: () => void = () => undefined;
  private readonly forced = new Promise<void>((resolve) => (this.forceNow = resolve));

  /** Why the pool is paused (`pause()`), while it is. */
  private pausedFor: string | undefined;
  /** The error that showed the activity missing, while it is. */
  private missingError: string | undefined;
  private lastErrorText: string | undefined;
  private lastErrorLogAt = Number.NEGATIVE_INFINITY;

  constructor(options: CompiledActivityPollerOptions, deps: ActivityPollerDeps) {
    super();
    this.options = options;
    this.workerName = deps.workerName;
    this.metrics = deps.metrics ?? new BridgeMetrics(new Registry());
    this.random = deps.random ?? Math.random;
    this.clock = deps.clock ?? realClock;
    this.labels = { activity: options.activityName, queue: options.queueName };
    this.log = (deps.logger ?? pino({ name: 'sfn-bullmq-bridge' })).child(this.labels);
    this.pollDescription = deps.pollDescription ?? 'GetActivityTask';
    const common = { log: this.log, metrics: this.metrics, labels: this.labels, clock: this.clock };
    this.health = new PollHealth({
      unhealthyAfterMs: options.unhealthyAfterMs,
      clock: this.clock,
      onChange: (failing) => this.onHealthChange(failing),
    });
    this.held = new HeldTokens({
      ...common,
      options,
      queue: deps.queue,
      reporter: deps.reporter,
      workerName: deps.workerName,
      tokenObserver: deps.tokenObserver,
      random: this.random,
      listener: {
        held: (held) => {
          this.backpressure.noteHeld(held);
          if (this.held.full) this.updateState();
        },
        failed: () => this.updateState(),
        settled: (how, wasFailing, held) => {
          if (how === 'stored') this.backpressure.noteStored(held);
          this.updateState();
          if (wasFailing || held === options.maxHeldTokens - 1) this.slots.wake();
        },
        enqueueError: (text) => (this.lastErrorText = text),
      },
    });
    this.backpressure = new Backpressure({
      ...common,
      options,
      queue: deps.queue,
      heldTokens: () => this.held.size,
      onChange: (opened) => {
        this.updateState();
        if (opened) this.slots.wake();
      },
    });
    this.slots = new PollSlots({
      ...common,
      activityArn: options.activityArn,
      workerName: deps.workerName,
      polls: options.polls,
      missingActivityRetryMs: options.missingActivityRetryMs,
      source: deps.source,
      mayPoll: (slot, target) => this.mayPoll(slot, target),
      probing: () => this.missingError !== undefined,
      paused: () => this.pausedFor !== undefined,
      onAnswer: (task, probe, pollStartedAt) => this.onAnswer(task, probe, pollStartedAt),
      onError: (error, failures) => this.onPollError(error, failures),
    });
  }

  get state(): ActivityPollerState {
    if (this.closeResult !== undefined) return 'closed';
    if (this.slots.stopping) return 'draining';
    if (!this.slots.started) return 'idle';
    if (this.pausedFor !== undefined) return 'paused';
    if (this.missingError !== undefined) return 'stopped';
    if (this.held.failing > 0 || this.held.full) return 'holding';
    if (this.health.failing) return 'failing';
    if (this.backpressure.engaged) return 'backpressure';
    return 'running';
  }

  /** Opens the poll slots. Call once; a no-op once started or closing. */
  start(): void {
    if (this.slots.started || this.closing !== undefined) return;
    this.metrics.heldTokens.set(this.labels, 0);
    this.log.info({ polls: this.options.polls, workerName: this.workerName }, 'activity pool starting');
    this.backpressure.start();
    this.slots.start();
    this.updateState();
  }

  /**
   * Opens no new polls (not even a missing activity's probe) until `resume()`. Polls already open are
   * never abandoned; their tokens take the usual path. `reason` shows as `lastError`.
   */
  pause(reason: string): void {
    this.pausedFor = reason;
    this.lastErrorText = reason;
    this.updateState();
  }

  resume(): void {
    if (this.pausedFor === undefined) return;
    if (this.lastErrorText === this.pausedFor) this.lastErrorText = undefined;
    this.pausedFor = undefined;
    this.updateState();
    this.slots.wake();
  }

  status(): ActivityStatus {
    const state = this.state;
    const healthy = state === 'running' || state === 'backpressure';
    const status: ActivityStatus = {
      activityArn: this.options.activityArn,
      queueName: this.options.queueName,
      state,
      healthy,
      openPolls: this.slots.open,
      targetPolls: this.slots.target,
      heldTokens: this.held.size,
    };
    if (!healthy) status.reason = this.unhealthyReason(state);
    if (this.lastErrorText !== undefined) status.lastError = this.lastErrorText;
    return status;
  }

  /**
   * The most polls the pool may open, on top of its own target: the bridge's share of the fleet's
   * budget on this ARN (fleet/fleet-lease.ts). Lowering it aborts no poll; the ones above it come back.
   */
  setPollCeiling(ceiling: number): void {
    this.slots.setCeiling(ceiling);
  }

  /** GetActivityTask calls open now. */
  get openPolls(): number {
    return this.slots.open;
  }

  /** Tokens received and not yet stored or reported. */
  get heldTokens(): number {
    return this.held.size;
  }

  /**
   * Stops opening polls, waits for the open ones to return (never aborting one)
   * and for every token they bring to be stored or reported. Idempotent.
   */
  close(options: ActivityPollerCloseOptions = {}): Promise<ActivityPollerCloseResult> {
    // A forced close during a graceful one (a second signal) cuts the wait short.
    if (options.force === true) this.forceNow();
    this.closing ??= this.drainAndClose(options);
    return this.closing;
  }

  private async drainAndClose({
    force = false,
    drainTimeoutMs = Number.POSITIVE_INFINITY,
  }: ActivityPollerCloseOptions): Promise<ActivityPollerCloseResult> {
    this.health.close();
    this.backpressure.close();
    const slotsReturned = this.slots.stop();
    this.updateState();
    this.log.info(
      { openPolls: this.slots.open, heldTokens: this.held.size, force },
      'activity pool draining',
    );
    const deadline = this.clock.now() + drainTimeoutMs;
    await this.waitUntil(slotsReturned, deadline);
    await this.waitUntil(this.held.whenIdle(), deadline);
    const forced = this.clock.now() < deadline;
    const reportedOnClose =
      this.held.size === 0
        ? 0
        : await this.held.reportOnClose(forced ? 'a forced close' : 'a drain that timed out');
    const result = { abandonedPolls: this.slots.open, abandonedTokens: this.held.size, reportedOnClose };
    if (result.abandonedPolls > 0 || result.abandonedTokens > 0 || reportedOnClose > 0) {
      this.log.warn(
        result,
        forced
          ? 'forced close: abandoning open polls (tokens sent to them are lost); unstored tokens reported failed where possible'
          : 'drain timed out: abandoning open polls; unstored tokens reported failed where possible',
      );
    }
    this.closeResult = result;
    this.updateState();
    this.log.info('activity pool closed');
    return result;
  }

  /** Waits for `promise`, at most until `deadline` or a forced close. */
  private async waitUntil(promise: Promise<void>, deadline: number): Promise<void> {
    const remainingMs = deadline - this.clock.now();
    if (remainingMs <= 0) return;
    await sleep(this.clock, remainingMs, Promise.race([promise, this.forced]));
  }

  private mayPoll(slot: number, target: number): boolean {
    if (this.pausedFor !== undefined) return false;
    if (this.missingError !== undefined) return slot === 0 && target > 0;
    return slot < target && !this.backpressure.blocking && this.held.failing === 0 && !this.held.full;
  }

  private onAnswer(task: PolledTask, probe: boolean, pollStartedAt: number): void {
    this.health.pollAnswered();
    // Only a poll opened while missing proves the activity is back; older polls return empty when it is deleted.
    if (probe && this.missingError !== undefined) {
      this.missingError = undefined;
      this.lastErrorText = undefined;
      this.log.info('activity answers again: pool resumes');
      this.updateState();
      this.slots.wake();
    }
    if (task.taskToken !== undefined && task.taskToken !== '') {
      this.metrics.pollsReturned.inc({ ...this.labels, result: 'task' });
      this.held.accept(task.taskToken, task.input, pollStartedAt);
    } else {
      this.metrics.pollsReturned.inc({ ...this.labels, result: 'empty' });
    }
  }

  /** Classifies a poll error, acts on it, and says how long this slot waits before polling again. */
  private onPollError(error: unknown, failures: number): number {
    const text = `${this.pollDescription}: ${describeError(error)}`;
    this.lastErrorText = text;
    const verdict = classifyPollError(error, failures, {
      pollBackoffMaxMs: this.options.pollBackoffMaxMs,
      random: this.random,
    });
    if (verdict.action === 'stop' && this.missingError === undefined) {
      this.log.error(
        { error: text },
        'activity does not exist or its ARN is invalid: pool stopped (other activities go on); probing now and then',
      );
      this.missingError = text;
      this.updateState();
      this.slots.wake();
    } else if (verdict.action === 'shrink') {
      this.slots.shrink();
    }
    if (verdict.log !== undefined)
      this.logThrottled(verdict.log.level, { error: text, type: verdict.type }, verdict.log.message);
    this.metrics.pollErrors.inc({ ...this.labels, type: verdict.type });
    // A missing activity has its own state; every other failure counts toward 'failing'.
    if (verdict.type !== 'activity_missing') this.health.pollFailed(text, () => this.slots.open);
    return verdict.delayMs;
  }

  /** One log line per interval, so 1,000 slots hit by one outage do not write 1,000 lines. */
  private logThrottled(level: 'warn' | 'error', fields: object, message: string): void {
    const now = this.clock.now();
    if (now - this.lastErrorLogAt < ERROR_LOG_INTERVAL_MS) return;
    this.lastErrorLogAt = now;
    this.log[level](fields, message);
  }

  private onHealthChange(failing: boolean): void {
    if (failing) {
      this.log.error(
        { error: this.lastErrorText, unhealthyAfterMs: this.options.unhealthyAfterMs },
        `no poll answered for ${this.options.unhealthyAfterMs / 1000} s while polls keep failing: pool unhealthy (not ready)`,
      );
    } else {
      if (this.lastErrorText?.startsWith(this.pollDescription) === true) this.lastErrorText = undefined;
      this.log.info('a poll answered again: pool healthy');
    }
    this.updateState();
  }

  private unhealthyReason(state: ActivityPollerState): string {
    const last = this.lastErrorText === undefined ? '' : `: ${this.lastErrorText}`;
    switch (state) {
      case 'failing':
        return `polls failing: ${this.health.reason() ?? 'no poll answered'}`;
      case 'paused':
        return `paused: ${this.pausedFor ?? 'no reason given'}`;
      case 'stopped':
        return `activity does not exist or its ARN is invalid${last}`;
      case 'holding':
        return this.held.failing > 0
          ? `Redis does not store tokens; polls paused${last}`
          : `${this.held.size} tokens wait for Redis (maxHeldTokens); polls paused`;
      default:
        return state;
    }
  }

  private updateState(): void {
    const next = this.state;
    if (next === this.lastState) return;
    const previous = this.lastState;
    this.lastState = next;
    this.log.info({ from: previous, to: next }, 'activity pool state changed');
    this.emit('stateChange', next);
  }
}
