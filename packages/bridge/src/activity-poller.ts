// One pool of long polls for one activity ARN: keeps `polls` GetActivityTask calls
// open, turns every token into exactly one BullMQ job, and holds back when Redis cannot keep up.
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';
import {
  ENQUEUE_FAILED_ERROR,
  SFN_LIMITS,
  fullJitterBackoffMs,
  isActivityMissingError,
  isTaskGoneError,
  isThrottlingError,
  isTransientError,
  isWorkerLimitError,
  jobIdForToken,
  parseTaskInput,
  sfnErrorName,
  tokenDigest,
  type ActivityJobData,
} from '@sfn-bullmq/protocol';
import type { JobsOptions } from 'bullmq';
import {
  compileActivityPollerOptions,
  type ActivityPollerOptions,
  type CompiledActivityPollerOptions,
} from './bridge-options.js';
import { BridgeMetrics, type PollErrorType } from './bridge-metrics.js';
import { PollHealth } from './poll-health.js';
import type { PolledTask } from '@sfn-bullmq/protocol';
import type { ActivityJobQueue, ActivityTaskSource, TaskFailureReporter } from './ports.js';

export type ActivityPollerState =
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
  /** False while the pool cannot do its work: activity missing, paused, polls failing, tokens held for Redis, draining or closed. */
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
  /** For tests of the jitter. @default Math.random */
  random?: () => number;
  /** For tests of the health rule. @default Date.now */
  now?: () => number;
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

interface HeldToken {
  jobId: string;
  data: ActivityJobData;
  /** performance.now() when the poll returned, for the latency histogram. */
  receivedHr: number;
  deadlineAt: number;
  attempts: number;
  /** An add has failed at least once: the pool holds (opens no polls) until this one is settled. */
  failed: boolean;
  /** close() gave up on storing it and reports it instead: the store loop stops. */
  abandoned: boolean;
  /** The store loop, settled when the token is stored or reported. */
  storing?: Promise<void>;
}

const POLL_BACKOFF_BASE_MS = 100;
const UNKNOWN_ERROR_BACKOFF_BASE_MS = 1_000;
const ENQUEUE_BACKOFF = { baseMs: 50, maxMs: 2_000 };
const GROW_INTERVAL_MS = 5_000;
/** On a forced or timed-out close: how long an add to a healthy Redis may still finish before its token is reported. */
const CLOSE_ADD_GRACE_MS = 1_000;
/** On a forced or timed-out close: the most one SendTaskFailure for an unstored token may take. */
const CLOSE_REPORT_TIMEOUT_MS = 3_000;
const ERROR_LOG_INTERVAL_MS = 5_000;

/** A Redis call or a failure report that took longer than the pool allows it. */
class PoolTimeout extends Error {
  override readonly name = 'PoolTimeout';
}

/** Races a promise against a timer; the loser's rejection is swallowed so it never goes unhandled. */
async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  promise.catch(() => undefined);
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new PoolTimeout(`${what} took longer than ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function describe(error: unknown): string {
  const name = sfnErrorName(error);
  let message = error instanceof Error ? error.message : String(error);
  // Node's connect to `localhost` tries ::1 and 127.0.0.1 and fails with an AggregateError without a message.
  if (message === '' && error instanceof AggregateError) {
    message = error.errors
      .map((inner: unknown) => (inner instanceof Error ? inner.message : String(inner)))
      .join('; ');
  }
  if (message === '') {
    const { code } = error as { code?: unknown };
    message = typeof code === 'string' ? code : 'no message';
  }
  // A plain `Error` says nothing the message does not; a named one (ThrottlingException) does.
  const named = name !== '' && name !== 'Error' && !message.startsWith(name);
  const status = (error as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata?.httpStatusCode;
  const http = typeof status === 'number' ? ` (HTTP ${status})` : '';
  return named ? `${name}${http}: ${message}` : `${message}${http}`;
}

/** The SDK's credential chain found nothing, or the service refused what it found. */
function isCredentialsError(error: unknown): boolean {
  return CREDENTIALS_ERRORS.has(sfnErrorName(error));
}

const CREDENTIALS_ERRORS = new Set([
  'CredentialsProviderError',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredTokenException',
  'AccessDeniedException',
]);

/**
 * One pool of `polls` poll slots on one activity ARN. Each slot polls, hands a
 * token to the enqueue path and polls again at once, unless back-pressure,
 * held tokens or a shrunken target say wait. No error ends a slot for good.
 * Emits 'stateChange' (state).
 */
export class ActivityPoller extends EventEmitter {
  readonly options: CompiledActivityPollerOptions;
  private readonly source: ActivityTaskSource;
  private readonly reporter: TaskFailureReporter;
  private readonly queue: ActivityJobQueue;
  private readonly workerName: string;
  private readonly log: Logger;
  private readonly metrics: BridgeMetrics;
  private readonly random: () => number;
  private readonly labels: { activity: string; queue: string };
  private readonly jobOptions: JobsOptions;
  private readonly pollDescription: string;
  private readonly health: PollHealth;

  private currentState: ActivityPollerState = 'running';
  private started = false;
  private stopping = false;
  private closed = false;
  private closing: Promise<ActivityPollerCloseResult> | undefined;

  private open = 0;
  private target: number;
  private missing = false;
  private pausedFor: string | undefined;
  private lastErrorText: string | undefined;
  private lastErrorLogAt = 0;

  private readonly pending = new Map<string, HeldToken>();
  private failing = 0;

  private backpressured = false;
  /** The count passed the high-water mark by our own estimate; polls wait until Redis confirms. */
  private suspectFull = false;
  private counting = false;
  private waitingEstimate = 0;
  private addsSinceCount = 0;
  private readonly countEveryAdds: number;

  private readonly slots: Promise<void>[] = [];
  private gateWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private readonly sleeps = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private countTimer: NodeJS.Timeout | undefined;
  private forceNow: () => void = () => undefined;
  private readonly forced = new Promise<void>((resolve) => (this.forceNow = resolve));
  private growTimer: NodeJS.Timeout | undefined;

  constructor(options: ActivityPollerOptions, deps: ActivityPollerDeps) {
    super();
    this.options = compileActivityPollerOptions(options);
    this.source = deps.source;
    this.reporter = deps.reporter;
    this.queue = deps.queue;
    this.workerName = deps.workerName;
    this.metrics = deps.metrics ?? new BridgeMetrics(new Registry());
    this.random = deps.random ?? Math.random;
    this.labels = { activity: this.options.activityName, queue: this.options.queueName };
    this.log = (deps.logger ?? pino({ name: 'sfn-bullmq-bridge' })).child(this.labels);
    this.pollDescription = deps.pollDescription ?? 'GetActivityTask';
    this.health = new PollHealth({
      unhealthyAfterMs: this.options.unhealthyAfterMs,
      ...(deps.now ? { now: deps.now } : {}),
      onChange: (failing) => this.onHealthChange(failing),
    });
    this.target = this.options.polls;
    this.countEveryAdds = Math.max(1, Math.floor(this.options.maxWaiting / 10));
    const { attempts, backoff, removeOnComplete, removeOnFail } = this.options.jobOptions;
    this.jobOptions = { attempts, removeOnComplete, removeOnFail };
    if (backoff !== undefined) this.jobOptions.backoff = backoff;
  }

  get state(): ActivityPollerState {
    return this.currentState;
  }

  /** Opens the poll slots. Call once. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.metrics.targetPolls.set(this.labels, this.target);
    this.metrics.openPolls.set(this.labels, 0);
    this.metrics.heldTokens.set(this.labels, 0);
    this.metrics.backpressure.set(this.labels, 0);
    this.log.info({ polls: this.options.polls, workerName: this.workerName }, 'activity pool starting');
    this.countTimer = setInterval(() => this.countWaiting(), this.options.backpressureCheckIntervalMs);
    this.countWaiting();
    for (let slot = 0; slot < this.options.polls; slot += 1) this.spawnSlot(slot);
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
    this.wakeGates();
  }

  status(): ActivityStatus {
    const healthy = this.currentState === 'running' || this.currentState === 'backpressure';
    const status: ActivityStatus = {
      activityArn: this.options.activityArn,
      queueName: this.options.queueName,
      state: this.currentState,
      healthy,
      openPolls: this.open,
      targetPolls: this.target,
      heldTokens: this.pending.size,
    };
    if (!healthy) status.reason = this.unhealthyReason();
    if (this.lastErrorText !== undefined) status.lastError = this.lastErrorText;
    return status;
  }

  private unhealthyReason(): string {
    const last = this.lastErrorText === undefined ? '' : `: ${this.lastErrorText}`;
    switch (this.currentState) {
      case 'failing':
        return `polls failing: ${this.health.reason() ?? 'no poll answered'}`;
      case 'paused':
        return `paused: ${this.pausedFor ?? 'no reason given'}`;
      case 'stopped':
        return `activity does not exist or its ARN is invalid${last}`;
      case 'holding':
        return this.failing > 0
          ? `Redis does not store tokens; polls paused${last}`
          : `${this.pending.size} tokens wait for Redis (maxHeldTokens); polls paused`;
      default:
        return this.currentState;
    }
  }

  /** GetActivityTask calls open now. */
  get openPolls(): number {
    return this.open;
  }

  /** Tokens received and not yet stored or reported. */
  get heldTokens(): number {
    return this.pending.size;
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
    this.stopping = true;
    this.health.close();
    clearInterval(this.countTimer);
    clearInterval(this.growTimer);
    for (const sleep of this.sleeps) {
      clearTimeout(sleep.timer);
      sleep.resolve();
    }
    this.sleeps.clear();
    this.updateState();
    this.wakeGates();
    this.log.info({ openPolls: this.open, heldTokens: this.pending.size, force }, 'activity pool draining');
    const deadline = Date.now() + drainTimeoutMs;
    if (force) this.forceNow();
    await this.waitUntil(
      Promise.all(this.slots).then(() => undefined),
      deadline,
    );
    await this.waitUntil(this.whenIdle(), deadline);
    const forced = Date.now() < deadline;
    const reportedOnClose = await this.reportHeldOnClose(
      forced ? 'a forced close' : 'a drain that timed out',
    );
    const result = { abandonedPolls: this.open, abandonedTokens: this.pending.size, reportedOnClose };
    if (result.abandonedPolls > 0 || result.abandonedTokens > 0 || reportedOnClose > 0) {
      this.log.warn(
        result,
        forced
          ? 'forced close: abandoning open polls (tokens sent to them are lost); unstored tokens reported failed where possible'
          : 'drain timed out: abandoning open polls; unstored tokens reported failed where possible',
      );
    }
    this.closed = true;
    this.updateState();
    this.log.info('activity pool closed');
    return result;
  }

  private async waitUntil(promise: Promise<void>, deadline: number): Promise<void> {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return;
    let timer: NodeJS.Timeout | undefined;
    const expired =
      remaining === Number.POSITIVE_INFINITY
        ? new Promise<void>(() => undefined)
        : new Promise<void>((resolve) => (timer = setTimeout(resolve, remaining)));
    await Promise.race([promise, expired, this.forced]);
    clearTimeout(timer);
  }

  /**
   * Tokens still held when close() stops waiting would otherwise sit in their tasks until TimeoutSeconds
   * (three years by default). Each gets one SendTaskFailure `SfnBullmq.EnqueueFailed` so its state
   * machine's Retry/Catch acts now. An add already on its way to a healthy Redis gets a short grace first;
   * if one lands after its token was reported, its worker meets TaskTimedOut and ends the job as cancelled.
   */
  private async reportHeldOnClose(why: string): Promise<number> {
    const held = [...this.pending.values()];
    if (held.length === 0) return 0;
    let reported = 0;
    await Promise.all(
      held.map(async (token) => {
        if (!token.failed && token.storing !== undefined) {
          await Promise.race([
            token.storing,
            new Promise((resolve) => setTimeout(resolve, CLOSE_ADD_GRACE_MS)),
          ]);
        }
        if (this.pending.get(token.jobId) !== token) return; // stored meanwhile
        token.abandoned = true;
        const digest = tokenDigest(token.data.taskToken);
        try {
          await withTimeout(
            this.reporter.sendTaskFailure({
              taskToken: token.data.taskToken,
              error: ENQUEUE_FAILED_ERROR,
              cause: `The bridge closed (${why}) before it could store the task in Redis (${token.attempts} attempts).`,
            }),
            CLOSE_REPORT_TIMEOUT_MS,
            'reporting an unstored token',
          );
          this.metrics.failuresReported.inc(this.labels);
          reported += 1;
          this.settle(token, 'reported');
        } catch (error) {
          if (isTaskGoneError(error)) {
            this.settle(token, 'reported');
            return;
          }
          this.metrics.failureReportErrors.inc(this.labels);
          this.log.error(
            { token: digest, error: describe(error) },
            'close: an unstored token could not be reported either: its task waits for TimeoutSeconds',
          );
        }
      }),
    );
    return reported;
  }

  private whenIdle(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  // ---- poll slots ----

  private spawnSlot(slot: number): void {
    const run = this.runSlot(slot).catch(async (error: unknown) => {
      // A bug, not a poll error (those are caught in the loop). The slot comes back after a pause.
      this.log.error({ err: error, slot }, 'poll slot failed unexpectedly; restarting it');
      await this.sleep(UNKNOWN_ERROR_BACKOFF_BASE_MS);
      if (!this.stopping) this.spawnSlot(slot);
    });
    this.slots[slot] = run;
  }

  private mayPoll(slot: number): boolean {
    if (this.pausedFor !== undefined) return false;
    if (this.missing) return slot === 0;
    return (
      slot < this.target &&
      !this.backpressured &&
      !this.suspectFull &&
      this.failing === 0 &&
      this.pending.size < this.options.maxHeldTokens
    );
  }

  private async runSlot(slot: number): Promise<void> {
    let failures = 0;
    for (;;) {
      while (!this.stopping && !this.mayPoll(slot)) await this.gate();
      if (this.stopping) return;
      // Slot 0 alone probes a missing activity, seldom, so a deleted one costs nothing.
      const probe = this.missing;
      if (probe) {
        await this.sleep(this.options.missingActivityRetryMs);
        if (this.stopping) return;
        if (this.pausedFor !== undefined) continue;
      }
      let task: PolledTask;
      this.setOpen(this.open + 1);
      try {
        task = await this.source.getActivityTask({
          activityArn: this.options.activityArn,
          workerName: this.workerName,
        });
      } catch (error) {
        this.setOpen(this.open - 1);
        if (this.stopping) {
          // close() abandoned it or closed its client: no news about Step Functions, so no warning after "closed".
          this.log.debug({ error: describe(error) }, 'a poll ended with an error during close');
          continue;
        }
        failures += 1;
        const delayMs = this.onPollError(error, failures);
        if (delayMs > 0) await this.sleep(delayMs);
        continue;
      }
      this.setOpen(this.open - 1);
      failures = 0;
      this.health.pollAnswered();
      // Only a poll opened while missing proves the activity is back; older polls return empty when it is deleted.
      if (probe && this.missing) this.setMissing(false);
      if (task.taskToken !== undefined && task.taskToken !== '') {
        this.metrics.pollsReturned.inc({ ...this.labels, result: 'task' });
        this.accept(task.taskToken, task.input);
      } else {
        this.metrics.pollsReturned.inc({ ...this.labels, result: 'empty' });
      }
    }
  }

  private setOpen(count: number): void {
    this.open = count;
    this.metrics.openPolls.set(this.labels, count);
  }

  /** Classifies a poll error and says how long this slot waits before polling again. */
  private onPollError(error: unknown, failures: number): number {
    const text = `${this.pollDescription}: ${describe(error)}`;
    this.lastErrorText = text;
    let type: PollErrorType;
    let delayMs: number;
    if (isActivityMissingError(error)) {
      type = 'activity_missing';
      delayMs = 0;
      if (!this.missing) {
        this.log.error(
          { error: text },
          'activity does not exist or its ARN is invalid: pool stopped (other activities go on); probing now and then',
        );
        this.setMissing(true);
      }
    } else if (isWorkerLimitError(error)) {
      type = 'worker_limit';
      delayMs = fullJitterBackoffMs(
        failures,
        { baseMs: 1_000, maxMs: this.options.pollBackoffMaxMs },
        this.random,
      );
      this.shrink();
    } else if (isTransientError(error)) {
      type = isThrottlingError(error) ? 'throttling' : 'transient';
      delayMs = fullJitterBackoffMs(
        failures,
        { baseMs: POLL_BACKOFF_BASE_MS, maxMs: this.options.pollBackoffMaxMs },
        this.random,
      );
      this.logThrottled('warn', { error: text, type }, 'poll failed; backing off');
    } else {
      type = 'other';
      delayMs = fullJitterBackoffMs(
        failures,
        { baseMs: UNKNOWN_ERROR_BACKOFF_BASE_MS, maxMs: this.options.pollBackoffMaxMs },
        this.random,
      );
      this.logThrottled(
        'error',
        { error: text, type },
        isCredentialsError(error)
          ? 'poll failed: AWS credentials missing, invalid or not allowed to poll (environment, profile or role); backing off'
          : 'poll failed with an unexpected error; backing off',
      );
    }
    this.metrics.pollErrors.inc({ ...this.labels, type });
    // A missing activity has its own state; every other failure counts toward 'failing'.
    if (type !== 'activity_missing') this.health.pollFailed(text, () => this.open);
    return delayMs;
  }

  /** One log line per interval, so 1,000 slots hit by one outage do not write 1,000 lines. */
  private logThrottled(level: 'warn' | 'error', fields: object, message: string): void {
    const now = Date.now();
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

  private setMissing(missing: boolean): void {
    this.missing = missing;
    if (!missing) {
      this.lastErrorText = undefined;
      this.log.info('activity answers again: pool resumes');
    }
    this.updateState();
    this.wakeGates();
  }

  /** ActivityWorkerLimitExceeded: others hold polls on this ARN too. Keep what we have, grow back slowly. */
  private shrink(): void {
    const next = Math.max(1, Math.min(this.target, this.open));
    if (next < this.target) {
      this.log.warn({ from: this.target, to: next }, 'activity worker limit reached: shrinking the pool');
      this.target = next;
      this.metrics.targetPolls.set(this.labels, next);
    }
    if (this.growTimer === undefined && !this.stopping) {
      this.growTimer = setInterval(() => this.grow(), GROW_INTERVAL_MS);
    }
  }

  private grow(): void {
    const step = Math.max(1, Math.ceil(this.options.polls / 20));
    this.target = Math.min(this.options.polls, this.target + step);
    this.metrics.targetPolls.set(this.labels, this.target);
    if (this.target >= this.options.polls) {
      clearInterval(this.growTimer);
      this.growTimer = undefined;
    }
    this.wakeGates();
  }

  private gate(): Promise<void> {
    return new Promise((resolve) => this.gateWaiters.push(resolve));
  }

  /** Lets waiting slots re-check whether they may poll. Called only on transitions, not per token. */
  private wakeGates(): void {
    const waiters = this.gateWaiters;
    this.gateWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** A pause that close() cuts short (it is no poll, so cutting it loses nothing). */
  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.sleeps.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.sleeps.add(entry);
    });
  }

  // ---- token → job ----

  /** Takes a token from a poll. Synchronous up to the add, so nothing can come between. */
  private accept(taskToken: string, rawInput: string | undefined): void {
    const receivedHr = performance.now();
    const receivedAt = Date.now();
    const jobId = jobIdForToken(taskToken);
    if (this.pending.has(jobId)) {
      // The same token twice at once: one add is already under way, and the job id makes it one job anyway.
      this.log.warn(
        { token: tokenDigest(taskToken) },
        'token received twice while its first add is in flight',
      );
      return;
    }
    const { input, inputIsRaw } = parseTaskInput(rawInput);
    const data: ActivityJobData = {
      taskToken,
      input,
      activityArn: this.options.activityArn,
      workerName: this.workerName,
      receivedAt,
    };
    if (inputIsRaw) {
      data.inputIsRaw = true;
      this.log.warn({ token: tokenDigest(taskToken) }, 'task input is not JSON; kept as a string');
    }
    const held: HeldToken = {
      jobId,
      data,
      receivedHr,
      deadlineAt: receivedAt + this.options.enqueueDeadlineMs,
      attempts: 0,
      failed: false,
      abandoned: false,
    };
    this.pending.set(jobId, held);
    this.metrics.heldTokens.set(this.labels, this.pending.size);
    // Adds in flight count as waiting jobs: set before the slot loops back, so no poll opens past the mark.
    if (!this.backpressured && this.waitingEstimate + this.pending.size >= this.options.maxWaiting) {
      this.suspectFull = true;
    }
    if (this.pending.size >= this.options.maxHeldTokens) this.updateState();
    held.storing = this.store(held).catch((error: unknown) => {
      // store() handles its own errors; this is a bug. Keep the token counted so close() shows it.
      this.log.error({ err: error, token: tokenDigest(taskToken) }, 'enqueue path failed unexpectedly');
    });
  }

  private async store(held: HeldToken): Promise<void> {
    for (;;) {
      if (held.abandoned) return; // close() reports it instead
      held.attempts += 1;
      try {
        const remainingMs = held.deadlineAt - Date.now();
        const attemptMs = Math.max(1, Math.min(this.options.enqueueAttemptTimeoutMs, remainingMs));
        await withTimeout(
          this.queue.add(this.options.activityName, held.data, { ...this.jobOptions, jobId: held.jobId }),
          attemptMs,
          'adding the job',
        );
        this.settle(held, 'stored');
        return;
      } catch (error) {
        this.metrics.enqueueRetries.inc(this.labels);
        this.lastErrorText = `enqueue: ${describe(error)}`;
        if (!held.failed) {
          held.failed = true;
          this.failing += 1;
          if (this.failing === 1) {
            this.log.warn(
              { error: describe(error), token: tokenDigest(held.data.taskToken) },
              'Redis did not store a token: holding tokens in memory and opening no new polls until they are stored',
            );
          }
          this.updateState();
        }
        if (held.abandoned) return; // close() reports it instead
        const remainingMs = held.deadlineAt - Date.now();
        if (remainingMs <= 0) {
          await this.giveUp(held, error);
          return;
        }
        const backoffMs = fullJitterBackoffMs(held.attempts, ENQUEUE_BACKOFF, this.random);
        await new Promise((resolve) => setTimeout(resolve, Math.min(remainingMs, Math.max(10, backoffMs))));
      }
    }
  }

  /** The deadline passed. Check whether an earlier add landed after all, else report the task failed. */
  private async giveUp(held: HeldToken, lastError: unknown): Promise<void> {
    const token = tokenDigest(held.data.taskToken);
    let checked = false;
    try {
      const job = await withTimeout(
        this.queue.getJob(held.jobId),
        this.options.enqueueAttemptTimeoutMs,
        'looking the job up',
      );
      checked = true;
      if (job !== undefined && job !== null) {
        this.log.info({ token }, 'an add that seemed to fail had stored the job after all');
        this.settle(held, 'stored');
        return;
      }
    } catch {
      // Redis still unreachable: we cannot know whether a timed-out add landed.
    }
    const cause = `The bridge could not store the task in Redis within ${this.options.enqueueDeadlineMs} ms (${held.attempts} attempts; last error: ${describe(lastError)}).`;
    try {
      await this.reporter.sendTaskFailure({
        taskToken: held.data.taskToken,
        error: ENQUEUE_FAILED_ERROR,
        cause: cause.slice(0, SFN_LIMITS.causeMaxChars),
      });
      this.metrics.failuresReported.inc(this.labels);
      this.log.warn(
        { token, attempts: held.attempts, jobChecked: checked },
        checked
          ? 'token not stored in time: reported SendTaskFailure SfnBullmq.EnqueueFailed'
          : 'token not stored in time: reported SendTaskFailure SfnBullmq.EnqueueFailed; an earlier add may still land, and its worker will then get TaskTimedOut',
      );
    } catch (error) {
      if (isTaskGoneError(error)) {
        this.log.warn(
          { token, error: describe(error) },
          'token not stored in time, and its task is already closed',
        );
      } else {
        this.metrics.failureReportErrors.inc(this.labels);
        this.log.error(
          { token, error: describe(error) },
          'token not stored in time and SendTaskFailure failed: the task waits for its TimeoutSeconds',
        );
      }
    }
    this.settle(held, 'reported');
  }

  private settle(held: HeldToken, how: 'stored' | 'reported'): void {
    if (this.pending.get(held.jobId) !== held) return;
    this.pending.delete(held.jobId);
    this.metrics.heldTokens.set(this.labels, this.pending.size);
    if (held.failed) {
      this.failing -= 1;
      if (this.failing === 0)
        this.log.info({ heldTokens: this.pending.size }, 'held tokens settled: polling resumes');
    }
    if (how === 'stored') {
      this.metrics.tokensEnqueued.inc(this.labels);
      this.metrics.enqueueLatency.observe(this.labels, (performance.now() - held.receivedHr) / 1000);
      this.waitingEstimate += 1;
      this.addsSinceCount += 1;
      if (this.waitingEstimate >= this.options.maxWaiting && !this.backpressured) {
        // Our own count says full; hold new polls until Redis confirms, so the mark is not overshot by much.
        this.suspectFull = true;
        this.countWaiting();
      } else if (
        this.addsSinceCount >= this.countEveryAdds ||
        (this.suspectFull && this.pending.size === 0)
      ) {
        this.countWaiting();
      }
    }
    this.updateState();
    if (held.failed || this.pending.size === this.options.maxHeldTokens - 1) this.wakeGates();
    if (this.pending.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  // ---- back-pressure ----

  /** Reads the waiting count (at most one read in flight), then opens or closes the gate. */
  private countWaiting(): void {
    if (this.counting || this.stopping) return;
    this.counting = true;
    this.addsSinceCount = 0;
    withTimeout(
      this.queue.getJobCounts('waiting', 'prioritized'),
      this.options.enqueueAttemptTimeoutMs,
      'counting waiting jobs',
    )
      .then((counts) => {
        const waiting = (counts['waiting'] ?? 0) + (counts['prioritized'] ?? 0);
        this.waitingEstimate = waiting;
        const wasBlocked = this.backpressured || this.suspectFull;
        // Adds still in flight will be waiting jobs too; stay suspicious until they land and are counted.
        this.suspectFull =
          !this.backpressured &&
          waiting < this.options.maxWaiting &&
          waiting + this.pending.size >= this.options.maxWaiting;
        if (!this.backpressured && waiting >= this.options.maxWaiting) {
          this.backpressured = true;
          this.metrics.backpressure.set(this.labels, 1);
          this.log.warn(
            { waiting, maxWaiting: this.options.maxWaiting },
            'queue at its high-water mark: opening no new polls',
          );
        } else if (this.backpressured && waiting < this.options.resumeBelow) {
          this.backpressured = false;
          this.metrics.backpressure.set(this.labels, 0);
          this.log.info(
            { waiting, resumeBelow: this.options.resumeBelow },
            'queue below its low-water mark: polling resumes',
          );
        }
        this.updateState();
        if (wasBlocked && !this.backpressured && !this.suspectFull) this.wakeGates();
      })
      .catch(() => {
        // Redis trouble shows in the enqueue path; keep the last known state.
        if (this.suspectFull) {
          this.suspectFull = false;
          this.wakeGates();
        }
      })
      .finally(() => {
        this.counting = false;
        // A confirmed-full queue is re-read quickly, so polling resumes soon after it drains.
        if (this.backpressured && !this.stopping) {
          const timer = setTimeout(
            () => this.countWaiting(),
            Math.min(250, this.options.backpressureCheckIntervalMs),
          );
          timer.unref();
        }
      });
  }

  // ---- state ----

  private computeState(): ActivityPollerState {
    if (this.closed) return 'closed';
    if (this.stopping) return 'draining';
    if (this.pausedFor !== undefined) return 'paused';
    if (this.missing) return 'stopped';
    if (this.failing > 0 || this.pending.size >= this.options.maxHeldTokens) return 'holding';
    if (this.health.failing) return 'failing';
    if (this.backpressured) return 'backpressure';
    return 'running';
  }

  private updateState(): void {
    const next = this.computeState();
    if (next === this.currentState) return;
    const previous = this.currentState;
    this.currentState = next;
    this.log.info({ from: previous, to: next }, 'activity pool state changed');
    this.emit('stateChange', next);
  }
}
