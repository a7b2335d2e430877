// One run of one job's handler, as Temporal's worker models an Activity: it owns its abort controller,
// heartbeater, context and outcome, and ends through one `cancel(reason)`; ActivityRunner holds the runs.
import { sfnErrorName, tokenDigest, type ActivityJobData } from '@sfn-bullmq/protocol';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { ActivityCancelledError, cancelReasonOf, type CancelReason } from './activity-cancelled-error.js';
import { createActivityContext, type ActivityHandler } from './activity-context.js';
import { isActivityFailure } from './activity-failure.js';
import { Heartbeater } from './heartbeater.js';
import { INVALID_TOKEN_MEANING, type ActivityJobResult } from './job-end.js';
import { InvalidTokenError, TaskGoneError, WorkerShutdownError, reportedFailure } from './job-end-errors.js';
import { loggableError, retryError } from './loggable-error.js';
import type { ActivityRunnerOptions } from './processor-options.js';
import type { TaskReporter } from './task-reporter.js';
import {
  WORKER_SHUTDOWN_ERROR,
  failureOutcome,
  failureOutcomeOf,
  successOutcome,
  type StoredOutcome,
} from './task-outcome.js';

/**
 * The job's data once its outcome is stored. The outcome lives in the job's own data (`job.updateData`)
 * rather than in a key of our own: it is written atomically with the job, travels with it to whichever
 * worker gets it next (no extra read per attempt), shows in Bull Board, and is removed with the job.
 * The price is that the input is rewritten once per task.
 */
export interface StoredActivityJobData extends ActivityJobData {
  sfnOutcome?: StoredOutcome;
}

/**
 * Why a run is cancelled, a closed union:
 * - `task-gone`: a heartbeat found the task closed (`invalidToken`: the token was refused); the handler
 *   gets `abandonHandlerAfterMs` to stop, nothing is reported.
 * - `shutdown`: the worker is force-closed; `report` says whether to report `SfnBullmq.WorkerShutdown`.
 * - `job-cancelled`: the BullMQ job was cancelled; what the handler then throws is reported.
 */
export type RunCancellation =
  | { reason: 'task-gone'; invalidToken: boolean; cause: unknown }
  | { reason: 'shutdown'; report: boolean }
  | { reason: 'job-cancelled'; cause: unknown };

/** What ends the wait for the handler before it settles. */
type Interrupt = { kind: 'shutdown'; report: boolean } | { kind: 'abandoned' };

/** What a run shares with the other runs of its runner. */
export interface ActivityRunDeps<I, O> {
  handler: ActivityHandler<I, O>;
  options: ActivityRunnerOptions;
  reporter: TaskReporter;
  /** Called once when the handler is let go after ignoring its aborted signal. */
  onAbandoned: () => void;
}

export class ActivityRun<I = unknown, O = unknown> {
  private childLog: Logger | undefined;
  private controller: AbortController | undefined;
  private linked = false;
  private gone: { invalidToken: boolean } | undefined;
  private abandonTimer: NodeJS.Timeout | undefined;
  private latestDetails: unknown;
  private detailsChanged = false;
  private interrupt: (interrupt: Interrupt) => void = () => undefined;
  private readonly interrupted = new Promise<Interrupt>((resolve) => (this.interrupt = resolve));
  private readonly heartbeater: Heartbeater;
  private finished: () => void = () => undefined;
  /** Settles when `execute()` has finished, reported or not. */
  readonly done = new Promise<void>((resolve) => (this.finished = resolve));
  private readonly options: ActivityRunnerOptions;

  constructor(
    private readonly job: Job<ActivityJobData>,
    private readonly data: StoredActivityJobData,
    private readonly bullSignal: AbortSignal | undefined,
    private readonly deps: ActivityRunDeps<I, O>,
  ) {
    this.options = deps.options;
    this.heartbeater = new Heartbeater({
      intervalMs: this.options.heartbeatIntervalMs,
      minGapMs: this.options.minHeartbeatGapMs,
      send: () => this.sendHeartbeat(),
      onGone: (error) => {
        const invalidToken = sfnErrorName(error) === 'InvalidToken';
        this.log.warn(
          { err: error },
          invalidToken
            ? `heartbeat: ${INVALID_TOKEN_MEANING}; aborting the handler`
            : 'heartbeat found the task closed (timed out or execution stopped): aborting the handler',
        );
        this.cancel({ reason: 'task-gone', invalidToken, cause: error });
      },
      onError: (error) => this.log.warn({ err: error }, 'heartbeat failed; the next one will try again'),
    });
  }

  /** Aborts the handler's signal and, for a gone task or a shutdown, stops waiting for it (see RunCancellation). */
  cancel(cancellation: RunCancellation): void {
    switch (cancellation.reason) {
      case 'task-gone':
        this.gone ??= { invalidToken: cancellation.invalidToken };
        this.abort(
          new ActivityCancelledError(
            'task-gone',
            cancellation.invalidToken
              ? 'Step Functions refused the task token (InvalidToken)'
              : 'the task is closed (timed out or its execution stopped)',
            { cause: cancellation.cause },
          ),
        );
        this.abandonTimer ??= setTimeout(
          () => this.interrupt({ kind: 'abandoned' }),
          this.options.abandonHandlerAfterMs,
        );
        return;
      case 'shutdown':
        this.abort(new ActivityCancelledError('shutdown', 'the worker is shutting down (forced close)'));
        this.interrupt({ kind: 'shutdown', report: cancellation.report });
        return;
      case 'job-cancelled':
        this.abort(
          new ActivityCancelledError('job-cancelled', 'the BullMQ job was cancelled', {
            cause: cancellation.cause,
          }),
        );
        return;
    }
  }

  /** Sends the outcome an earlier attempt stored; the handler does not run again. */
  resend(outcome: StoredOutcome): Promise<ActivityJobResult> {
    this.log.info(
      { outcome: outcome.kind, attempt: this.job.attemptsStarted },
      're-sending the outcome stored by an earlier attempt; the handler does not run again',
    );
    return this.send(outcome, true);
  }

  /** Runs the handler once, stores its outcome on the job, then sends it. */
  async execute(): Promise<ActivityJobResult> {
    try {
      const ageMs = Date.now() - this.data.receivedAt;
      if (ageMs > this.options.staleTokenAgeMs) await this.refuseIfGone(ageMs);
      const context = createActivityContext(
        this.job,
        this.data,
        () => this.controllerOf().signal,
        () => this.log,
        (details) => {
          if (details !== undefined) {
            this.latestDetails = details;
            this.detailsChanged = true;
          }
          this.heartbeater.request();
        },
      );
      this.heartbeater.start();
      const handled = (async () => this.deps.handler(this.data.input as I, context))().then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      const settled = await Promise.race([handled, this.interrupted]);
      this.heartbeater.stop();

      let outcome: StoredOutcome;
      // What the handler threw, for the one log line of a reported failure.
      let thrown: { err: unknown } | undefined;
      if ('kind' in settled && settled.kind === 'abandoned') {
        this.deps.onAbandoned();
        this.log.warn(
          { abandonHandlerAfterMs: this.options.abandonHandlerAfterMs },
          'the handler ignored its aborted signal after the task closed: letting it go (it may still be running); the job ends as cancelled',
        );
        throw new TaskGoneError(
          `the task closed while the handler ran, and the handler ignored its abort signal for ${this.options.abandonHandlerAfterMs} ms: abandoned; nothing reported`,
        );
      } else if ('kind' in settled) {
        if (!settled.report) throw new WorkerShutdownError();
        outcome = failureOutcomeOf(
          WORKER_SHUTDOWN_ERROR,
          'The worker was force-closed while the task ran.',
          [],
        );
      } else if (this.gone !== undefined && this.cancelledFor() === 'task-gone') {
        throw this.gone.invalidToken
          ? new InvalidTokenError()
          : new TaskGoneError('the task closed while the handler ran; nothing reported');
      } else if (settled.ok) {
        outcome = successOutcome(settled.value);
      } else {
        const { error } = settled;
        if (this.options.retryInBullmq && hasAttemptsLeft(this.job) && isRetryable(error)) {
          this.log.info(
            { err: loggableError(error), attemptsMade: this.job.attemptsMade },
            'handler failed; BullMQ retries it first',
          );
          throw retryError(error);
        }
        outcome = failureOutcome(error);
        thrown = { err: loggableError(error) };
      }

      const stored: StoredActivityJobData = { ...this.data, sfnOutcome: outcome };
      await this.job.updateData(stored);
      await this.options.hooks.afterOutcomeStored?.(this.job, outcome);
      return await this.send(outcome, false, thrown);
    } finally {
      clearTimeout(this.abandonTimer);
      this.heartbeater.stop();
      if (this.linked) this.bullSignal?.removeEventListener('abort', this.onJobCancelled);
      this.finished();
    }
  }

  /**
   * The child logger and the token's digest are made on the first log line: most tasks log none, and a
   * SHA-256 of a ~1 KB token per job showed in the worker's profile.
   */
  private get log(): Logger {
    return (this.childLog ??= this.options.logger.child({
      jobId: this.job.id,
      queue: this.job.queueName,
      activityArn: this.data.activityArn,
      token: tokenDigest(this.data.taskToken),
    }));
  }

  private readonly onJobCancelled = (): void =>
    this.cancel({ reason: 'job-cancelled', cause: this.bullSignal?.reason });

  /**
   * The handler's AbortController is made on first use (the handler reads `signal`, or something aborts
   * it): an AbortController and a listener on BullMQ's signal per job are a measurable share of the
   * wrapper's cost, and most short handlers never look at the signal.
   */
  private controllerOf(): AbortController {
    if (this.controller !== undefined) return this.controller;
    const controller = new AbortController();
    this.controller = controller;
    const bullSignal = this.bullSignal;
    if (bullSignal !== undefined) {
      if (bullSignal.aborted) this.onJobCancelled();
      else {
        bullSignal.addEventListener('abort', this.onJobCancelled, { once: true });
        this.linked = true;
      }
    }
    return controller;
  }

  /** The reason that took effect: a signal aborts once, so a later cancel does not change it. */
  private cancelledFor(): CancelReason | undefined {
    return this.controller === undefined ? undefined : cancelReasonOf(this.controller.signal);
  }

  private abort(error: ActivityCancelledError): void {
    this.controllerOf().abort(error);
  }

  private async sendHeartbeat(): Promise<void> {
    if (this.detailsChanged) {
      this.detailsChanged = false;
      this.job
        .updateProgress(this.latestDetails as object)
        .catch((error: unknown) => this.log.debug({ err: error }, 'could not store heartbeat details'));
    }
    await this.options.sender.sendTaskHeartbeat(this.data.taskToken);
  }

  /** A token that waited past `staleTokenAgeMs` is checked with one heartbeat before the handler runs. */
  private async refuseIfGone(ageMs: number): Promise<void> {
    this.log.warn({ ageMs }, 'the token waited past staleTokenAgeMs; checking the task is still open first');
    let probed: 'alive' | 'gone' | 'invalid-token';
    try {
      probed = await this.heartbeater.probe();
    } catch (error) {
      this.log.warn({ err: error }, 'could not check the task with a heartbeat; running it anyway');
      return;
    }
    if (probed === 'invalid-token') {
      this.log.warn({ ageMs }, `${INVALID_TOKEN_MEANING}: the handler does not run`);
      throw new InvalidTokenError();
    }
    if (probed === 'gone') {
      this.log.warn(
        { ageMs },
        'the task closed while its token waited in the queue: cancelled, the handler does not run',
      );
      throw new TaskGoneError('the task closed while its token waited in the queue');
    }
  }

  private async send(
    outcome: StoredOutcome,
    resend: boolean,
    thrown?: { err: unknown },
  ): Promise<ActivityJobResult> {
    const result = await this.deps.reporter.report(this.data.taskToken, outcome, resend);
    switch (result) {
      case 'sent':
        if (outcome.kind === 'failure') {
          // One line per failure, at info: the task failed as the handler (or its output) said.
          this.log.info(
            { ...thrown, outcome: outcome.kind, error: outcome.error },
            'reported SendTaskFailure',
          );
          throw reportedFailure(outcome, false);
        }
        // Checked first: making the child logger costs more than the rest of a successful report.
        if (this.options.logger.isLevelEnabled('debug'))
          this.log.debug({ outcome: outcome.kind }, 'reported');
        return { reported: 'success' };
      case 'maybe-sent':
        this.log.info(
          { outcome: outcome.kind },
          'the task was already closed when the report was repeated: closed, maybe already reported',
        );
        if (outcome.kind === 'failure') throw reportedFailure(outcome, true);
        return { reported: 'maybe' };
      case 'task-gone':
        this.log.warn(
          { outcome: outcome.kind },
          'the task closed before its outcome was reported (timed out or execution stopped): cancelled',
        );
        throw new TaskGoneError('the task closed before its outcome was reported');
      case 'invalid-token':
        this.log.error({ outcome: outcome.kind }, `${INVALID_TOKEN_MEANING}; nothing was reported`);
        throw new InvalidTokenError();
    }
  }
}

/** `ActivityFailure.nonRetryable` is final; anything else may be retried (also what cannot be read). */
function isRetryable(error: unknown): boolean {
  try {
    return !isActivityFailure(error) || error.retryable;
  } catch {
    return true;
  }
}

function hasAttemptsLeft(job: Job): boolean {
  return job.attemptsMade + 1 < (job.opts.attempts ?? 1);
}
