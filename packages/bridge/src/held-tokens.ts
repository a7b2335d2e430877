// Tokens taken from polls and not yet stored: each is added to Redis until it lands or its enqueue
// deadline passes (then its task is reported failed), and close() reports those it gives up on.
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { JobsOptions } from 'bullmq';
import {
  ENQUEUE_FAILED_ERROR,
  SFN_LIMITS,
  fullJitterBackoffMs,
  isTaskGoneError,
  jobIdForToken,
  parseTaskInput,
  tokenDigest,
  type ActivityJobData,
} from '@sfn-bullmq/protocol';
import type { CompiledActivityPollerOptions } from './bridge-options.js';
import type { BridgeMetrics } from './bridge-metrics.js';
import { sleep, withTimeout, type Clock } from './clock.js';
import { describeError } from './poll-error-classifier.js';
import type { ActivityJobQueue, TaskFailureReporter } from './ports.js';
import type { TokenObservation, TokenObserver } from './token-observer.js';

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
  /** Tracing's view of this token, when a token observer is configured. */
  observation?: TokenObservation | undefined;
}

/** What the pool hears from its held tokens, so it can recompute its state and wake its slots. */
interface HeldTokensListener {
  /** A token was taken in (`held` now held). */
  held(held: number): void;
  /** The first add of a token failed (the pool holds until it is settled). */
  failed(): void;
  /** A token left: stored in Redis or reported. */
  settled(how: 'stored' | 'reported', wasFailing: boolean, held: number): void;
  /** The last enqueue error, for the status. */
  enqueueError(text: string): void;
}

export interface HeldTokensDeps {
  options: CompiledActivityPollerOptions;
  queue: ActivityJobQueue;
  reporter: TaskFailureReporter;
  workerName: string;
  tokenObserver?: TokenObserver | undefined;
  log: Logger;
  metrics: BridgeMetrics;
  labels: { activity: string; queue: string };
  clock: Clock;
  random: () => number;
  listener: HeldTokensListener;
}

const ENQUEUE_BACKOFF = { baseMs: 50, maxMs: 2_000 };
/** On a forced or timed-out close: how long an add to a healthy Redis may still finish before its token is reported. */
const CLOSE_ADD_GRACE_MS = 1_000;
/** On a forced or timed-out close: the most one SendTaskFailure for an unstored token may take. */
const CLOSE_REPORT_TIMEOUT_MS = 3_000;

export class HeldTokens {
  private readonly deps: HeldTokensDeps;
  private readonly jobOptions: JobsOptions;
  private readonly tokens = new Map<string, HeldToken>();
  private failedCount = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(deps: HeldTokensDeps) {
    this.deps = deps;
    const { attempts, backoff, removeOnComplete, removeOnFail } = deps.options.jobOptions;
    this.jobOptions = { attempts, removeOnComplete, removeOnFail };
    if (backoff !== undefined) this.jobOptions.backoff = backoff;
  }

  /** Tokens received and not yet stored or reported. */
  get size(): number {
    return this.tokens.size;
  }

  /** Held tokens whose add has failed at least once. */
  get failing(): number {
    return this.failedCount;
  }

  /** At `maxHeldTokens`: no new poll may open. */
  get full(): boolean {
    return this.tokens.size >= this.deps.options.maxHeldTokens;
  }

  /** Takes a token from a poll. Synchronous up to the add, so nothing can come between. */
  accept(taskToken: string, rawInput: string | undefined, pollStartedAt?: number): void {
    const { options, log, clock } = this.deps;
    const receivedHr = performance.now();
    const receivedAt = clock.now();
    const jobId = jobIdForToken(taskToken);
    if (this.tokens.has(jobId)) {
      // The same token twice at once: one add is already under way, and the job id makes it one job anyway.
      log.warn({ token: tokenDigest(taskToken) }, 'token received twice while its first add is in flight');
      return;
    }
    const { input, inputIsRaw } = parseTaskInput(rawInput);
    const data: ActivityJobData = {
      taskToken,
      input,
      activityArn: options.activityArn,
      workerName: this.deps.workerName,
      receivedAt,
    };
    if (inputIsRaw) {
      data.inputIsRaw = true;
      log.warn({ token: tokenDigest(taskToken) }, 'task input is not JSON; kept as a string');
    }
    const observation = this.deps.tokenObserver?.tokenReceived({
      activityArn: options.activityArn,
      queueName: options.queueName,
      jobId,
      pollStartedAt: pollStartedAt ?? receivedAt,
      receivedAt,
    });
    if (observation?.traceContext !== undefined) data.traceContext = observation.traceContext;
    const held: HeldToken = {
      jobId,
      data,
      receivedHr,
      deadlineAt: receivedAt + options.enqueueDeadlineMs,
      attempts: 0,
      failed: false,
      abandoned: false,
      observation,
    };
    this.tokens.set(jobId, held);
    this.deps.metrics.heldTokens.set(this.deps.labels, this.tokens.size);
    this.deps.listener.held(this.tokens.size);
    held.storing = this.store(held).catch((error: unknown) => {
      // store() handles its own errors; this is a bug. Keep the token counted so close() shows it.
      log.error({ err: error, token: tokenDigest(taskToken) }, 'enqueue path failed unexpectedly');
    });
  }

  /** Resolves once no token is held. */
  whenIdle(): Promise<void> {
    if (this.tokens.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Tokens still held when close() stops waiting would otherwise sit in their tasks until TimeoutSeconds
   * (three years by default). Each gets one SendTaskFailure `SfnBullmq.EnqueueFailed` so its state
   * machine's Retry/Catch acts now. An add already on its way to a healthy Redis gets a short grace first;
   * if one lands after its token was reported, its worker meets TaskTimedOut and ends the job as cancelled.
   */
  async reportOnClose(why: string): Promise<number> {
    const { clock, metrics, labels, log } = this.deps;
    const held = [...this.tokens.values()];
    let reported = 0;
    await Promise.all(
      held.map(async (token) => {
        if (!token.failed && token.storing !== undefined)
          await sleep(clock, CLOSE_ADD_GRACE_MS, token.storing);
        if (this.tokens.get(token.jobId) !== token) return; // stored meanwhile
        token.abandoned = true;
        try {
          await withTimeout(
            clock,
            this.deps.reporter.sendTaskFailure({
              taskToken: token.data.taskToken,
              error: ENQUEUE_FAILED_ERROR,
              cause: `The bridge closed (${why}) before it could store the task in Redis (${token.attempts} attempts).`,
            }),
            CLOSE_REPORT_TIMEOUT_MS,
            'reporting an unstored token',
          );
          metrics.failuresReported.inc(labels);
          reported += 1;
          this.settle(token, 'reported');
        } catch (error) {
          if (isTaskGoneError(error)) {
            this.settle(token, 'reported');
            return;
          }
          metrics.failureReportErrors.inc(labels);
          log.error(
            { token: tokenDigest(token.data.taskToken), error: describeError(error) },
            'close: an unstored token could not be reported either: its task waits for TimeoutSeconds',
          );
        }
      }),
    );
    return reported;
  }

  private async store(held: HeldToken): Promise<void> {
    const { options, clock, log, metrics, labels, listener } = this.deps;
    for (;;) {
      if (held.abandoned) return; // close() reports it instead
      held.attempts += 1;
      try {
        const remainingMs = held.deadlineAt - clock.now();
        const attemptMs = Math.max(1, Math.min(options.enqueueAttemptTimeoutMs, remainingMs));
        await withTimeout(
          clock,
          this.deps.queue.add(options.activityName, held.data, { ...this.jobOptions, jobId: held.jobId }),
          attemptMs,
          'adding the job',
        );
        this.settle(held, 'stored');
        return;
      } catch (error) {
        metrics.enqueueRetries.inc(labels);
        listener.enqueueError(`enqueue: ${describeError(error)}`);
        if (!held.failed) {
          held.failed = true;
          this.failedCount += 1;
          if (this.failedCount === 1) {
            log.warn(
              { error: describeError(error), token: tokenDigest(held.data.taskToken) },
              'Redis did not store a token: holding tokens in memory and opening no new polls until they are stored',
            );
          }
          listener.failed();
        }
        if (held.abandoned) return; // close() reports it instead
        const remainingMs = held.deadlineAt - clock.now();
        if (remainingMs <= 0) {
          await this.giveUp(held, error);
          return;
        }
        const backoffMs = fullJitterBackoffMs(held.attempts, ENQUEUE_BACKOFF, this.deps.random);
        await sleep(clock, Math.min(remainingMs, Math.max(10, backoffMs)));
      }
    }
  }

  /** The deadline passed. Check whether an earlier add landed after all, else report the task failed. */
  private async giveUp(held: HeldToken, lastError: unknown): Promise<void> {
    const { options, clock, log, metrics, labels } = this.deps;
    const token = tokenDigest(held.data.taskToken);
    let checked = false;
    try {
      const job = await withTimeout(
        clock,
        this.deps.queue.getJob(held.jobId),
        options.enqueueAttemptTimeoutMs,
        'looking the job up',
      );
      checked = true;
      if (job !== undefined && job !== null) {
        log.info({ token }, 'an add that seemed to fail had stored the job after all');
        this.settle(held, 'stored');
        return;
      }
    } catch {
      // Redis still unreachable: we cannot know whether a timed-out add landed.
    }
    const cause = `The bridge could not store the task in Redis within ${options.enqueueDeadlineMs} ms (${held.attempts} attempts; last error: ${describeError(lastError)}).`;
    try {
      await this.deps.reporter.sendTaskFailure({
        taskToken: held.data.taskToken,
        error: ENQUEUE_FAILED_ERROR,
        cause: cause.slice(0, SFN_LIMITS.causeMaxChars),
      });
      metrics.failuresReported.inc(labels);
      log.warn(
        { token, attempts: held.attempts, jobChecked: checked },
        checked
          ? 'token not stored in time: reported SendTaskFailure SfnBullmq.EnqueueFailed'
          : 'token not stored in time: reported SendTaskFailure SfnBullmq.EnqueueFailed; an earlier add may still land, and its worker will then get TaskTimedOut',
      );
    } catch (error) {
      if (isTaskGoneError(error)) {
        log.warn(
          { token, error: describeError(error) },
          'token not stored in time, and its task is already closed',
        );
      } else {
        metrics.failureReportErrors.inc(labels);
        log.error(
          { token, error: describeError(error) },
          'token not stored in time and SendTaskFailure failed: the task waits for its TimeoutSeconds',
        );
      }
    }
    this.settle(held, 'reported');
  }

  private settle(held: HeldToken, how: 'stored' | 'reported'): void {
    const { metrics, labels, log } = this.deps;
    if (this.tokens.get(held.jobId) !== held) return;
    this.tokens.delete(held.jobId);
    metrics.heldTokens.set(labels, this.tokens.size);
    if (held.failed) {
      this.failedCount -= 1;
      if (this.failedCount === 0)
        log.info({ heldTokens: this.tokens.size }, 'held tokens settled: polling resumes');
    }
    if (how === 'stored') {
      metrics.tokensEnqueued.inc(labels);
      metrics.enqueueLatency.observe(labels, (performance.now() - held.receivedHr) / 1000);
    }
    held.observation?.settled(how, held.attempts);
    this.deps.listener.settled(how, held.failed, this.tokens.size);
    if (this.tokens.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
