// Runs one job: checks its data once; stored outcome → re-send; else handler with heartbeats,
// outcome stored on the job in Redis, then sent. Holds the running tasks so a worker can cancel them.
import {
  isInvalidJobError,
  parseActivityJob,
  sfnErrorName,
  tokenDigest,
  type ActivityJobData,
} from '@sfn-bullmq/protocol';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { ActivityCancelledError, cancelReasonOf } from './activity-cancelled-error.js';
import { createActivityContext, type ActivityHandler } from './activity-context.js';
import { isActivityFailure } from './activity-failure.js';
import { Heartbeater } from './heartbeater.js';
import { refuseInvalidJob } from './invalid-job.js';
import { loggableError, retryError } from './loggable-error.js';
import {
  INVALID_TOKEN_JOB_ERROR,
  INVALID_TOKEN_MEANING,
  TASK_GONE_JOB_ERROR,
  jobFailure,
  reportedFailure,
  type ActivityJobResult,
} from './job-end.js';
import type { ActivityRunnerOptions } from './processor-options.js';
import { TaskReporter } from './task-reporter.js';
import {
  WORKER_SHUTDOWN_ERROR,
  failureOutcome,
  failureOutcomeOf,
  parseStoredOutcome,
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

interface RunningTask {
  abort(error: ActivityCancelledError): void;
  /** Resolves when the worker is force-closed; `report` says whether to report a failure. */
  shutdown: Promise<{ report: boolean }>;
  triggerShutdown(report: boolean): void;
  /** Settles when the run has finished, reported or not. */
  done: Promise<unknown>;
}

export class ActivityRunner<I = unknown, O = unknown> {
  private readonly running = new Set<RunningTask>();
  private readonly reporter: TaskReporter;
  private abandoned = 0;

  constructor(
    private readonly handler: ActivityHandler<I, O>,
    private readonly options: ActivityRunnerOptions,
  ) {
    this.reporter = new TaskReporter(options.sender, {
      sendRetryTimeoutMs: options.sendRetryTimeoutMs,
      backoff: { baseMs: 100, maxMs: 5_000 },
      onRetry: (error, attempt, delayMs) =>
        options.logger.warn({ err: error, attempt, delayMs }, 'report failed transiently; retrying'),
    });
  }

  /**
   * The BullMQ processor. It declares three parameters because BullMQ only passes the abort signal
   * (used by `worker.cancelJob`) to processors whose `length` is at least 3.
   */
  readonly process = (
    job: Job<ActivityJobData>,
    _token: string | undefined,
    signal: AbortSignal | undefined,
  ) => this.run(job, signal);

  /** Tasks whose handler is running now. */
  get runningCount(): number {
    return this.running.size;
  }

  /**
   * Handlers let go since the start because they ignored their aborted signal for `abandonHandlerAfterMs`
   * after their task closed (each may still be running, outside any concurrency slot).
   */
  get abandonedHandlerCount(): number {
    return this.abandoned;
  }

  /**
   * Aborts every running handler with reason 'shutdown' and stops waiting for them. With `report`,
   * each task is reported failed (`SfnBullmq.WorkerShutdown`); without it, it is left as it is (its job
   * stays active until BullMQ's stalled check gives it to another worker, or Step Functions' heartbeat
   * timeout closes it). Resolves when those runs have finished, or after `timeoutMs`.
   */
  async shutdown(report: boolean, timeoutMs: number): Promise<void> {
    const tasks = [...this.running];
    for (const task of tasks) {
      task.abort(new ActivityCancelledError('shutdown', 'the worker is shutting down (forced close)'));
      task.triggerShutdown(report);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.allSettled(tasks.map((task) => task.done)), timeout]);
    clearTimeout(timer);
  }

  private async run(
    job: Job<ActivityJobData>,
    bullSignal: AbortSignal | undefined,
  ): Promise<ActivityJobResult> {
    let data: StoredActivityJobData;
    try {
      // The one check of the job's data: past it, every field is what ActivityJobData says.
      const parsed: StoredActivityJobData = parseActivityJob(job.data);
      parseStoredOutcome(parsed.sfnOutcome);
      data = parsed;
    } catch (error) {
      if (isInvalidJobError(error)) return refuseInvalidJob(job, error, this.reporter, this.options.logger);
      throw error;
    }
    // The child logger and the token's digest are made on the first log line: most tasks log none, and a
    // SHA-256 of a ~1 KB token per job showed in the worker's profile.
    let childLog: Logger | undefined;
    const log = (): Logger =>
      (childLog ??= this.options.logger.child({
        jobId: job.id,
        queue: job.queueName,
        activityArn: data.activityArn,
        token: tokenDigest(data.taskToken),
      }));

    if (data.sfnOutcome !== undefined) {
      log().info(
        { outcome: data.sfnOutcome.kind, attempt: job.attemptsStarted },
        're-sending the outcome stored by an earlier attempt; the handler does not run again',
      );
      return this.send(data.taskToken, data.sfnOutcome, true, log);
    }

    // The handler's AbortController is made on first use (the handler reads `signal`, or something aborts
    // it): an AbortController and a listener on BullMQ's signal per job are a measurable share of the
    // wrapper's cost, and most short handlers never look at the signal.
    let controller: AbortController | undefined;
    let linked = false;
    const onJobCancelled = (): void =>
      controllerOf().abort(
        new ActivityCancelledError('job-cancelled', 'the BullMQ job was cancelled', {
          cause: bullSignal?.reason,
        }),
      );
    const controllerOf = (): AbortController => {
      if (controller !== undefined) return controller;
      controller = new AbortController();
      if (bullSignal !== undefined) {
        if (bullSignal.aborted) onJobCancelled();
        else {
          bullSignal.addEventListener('abort', onJobCancelled, { once: true });
          linked = true;
        }
      }
      return controller;
    };

    // Set when a heartbeat finds the task gone; the handler then has abandonHandlerAfterMs to stop.
    let gone: 'closed' | 'invalid-token' | undefined;
    let abandonTimer: NodeJS.Timeout | undefined;
    let abandon: () => void = () => undefined;
    const abandonedAfterGrace = new Promise<{ abandoned: true }>((resolve) => {
      abandon = () => resolve({ abandoned: true });
    });
    const startAbandonTimer = (): void => {
      abandonTimer ??= setTimeout(abandon, this.options.abandonHandlerAfterMs);
    };

    let latestDetails: unknown;
    let detailsChanged = false;
    const heartbeater = new Heartbeater({
      intervalMs: this.options.heartbeatIntervalMs,
      minGapMs: this.options.minHeartbeatGapMs,
      send: async () => {
        if (detailsChanged) {
          detailsChanged = false;
          job
            .updateProgress(latestDetails as object)
            .catch((error: unknown) => log().debug({ err: error }, 'could not store heartbeat details'));
        }
        await this.options.sender.sendTaskHeartbeat(data.taskToken);
      },
      onGone: (error) => {
        const invalidToken = sfnErrorName(error) === 'InvalidToken';
        log().warn(
          { err: error },
          invalidToken
            ? `heartbeat: ${INVALID_TOKEN_MEANING}; aborting the handler`
            : 'heartbeat found the task closed (timed out or execution stopped): aborting the handler',
        );
        gone = invalidToken ? 'invalid-token' : 'closed';
        controllerOf().abort(
          new ActivityCancelledError(
            'task-gone',
            invalidToken
              ? 'Step Functions refused the task token (InvalidToken)'
              : 'the task is closed (timed out or its execution stopped)',
            { cause: error },
          ),
        );
        startAbandonTimer();
      },
      onError: (error) => log().warn({ err: error }, 'heartbeat failed; the next one will try again'),
    });

    let triggerShutdown: (report: boolean) => void = () => undefined;
    let finish: () => void = () => undefined;
    const task: RunningTask = {
      abort: (error) => controllerOf().abort(error),
      shutdown: new Promise((resolve) => {
        triggerShutdown = (report) => resolve({ report });
      }),
      triggerShutdown: (report) => triggerShutdown(report),
      done: new Promise<void>((resolve) => {
        finish = resolve;
      }),
    };
    this.running.add(task);
    try {
      const ageMs = Date.now() - data.receivedAt;
      if (ageMs > this.options.staleTokenAgeMs) {
        log().warn({ ageMs }, 'the token waited past staleTokenAgeMs; checking the task is still open first');
        const probed = await this.probe(heartbeater, log);
        if (probed === 'invalid-token') {
          log().warn({ ageMs }, `${INVALID_TOKEN_MEANING}: the handler does not run`);
          throw jobFailure(INVALID_TOKEN_JOB_ERROR, `${INVALID_TOKEN_MEANING}; nothing was reported`);
        }
        if (probed === 'gone') {
          log().warn(
            { ageMs },
            'the task closed while its token waited in the queue: cancelled, the handler does not run',
          );
          throw jobFailure(TASK_GONE_JOB_ERROR, 'the task closed while its token waited in the queue');
        }
      }

      const context = createActivityContext(
        job,
        data,
        () => controllerOf().signal,
        log,
        (details) => {
          if (details !== undefined) {
            latestDetails = details;
            detailsChanged = true;
          }
          heartbeater.request();
        },
      );
      heartbeater.start();
      const handled = (async () => this.handler(data.input as I, context))().then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      const settled = await Promise.race([handled, task.shutdown, abandonedAfterGrace]);
      heartbeater.stop();

      let outcome: StoredOutcome;
      // What the handler threw, for the one log line of a reported failure.
      let thrown: { err: unknown } | undefined;
      if ('abandoned' in settled) {
        this.abandoned += 1;
        log().warn(
          { abandonHandlerAfterMs: this.options.abandonHandlerAfterMs },
          'the handler ignored its aborted signal after the task closed: letting it go (it may still be running); the job ends as cancelled',
        );
        throw jobFailure(
          TASK_GONE_JOB_ERROR,
          `the task closed while the handler ran, and the handler ignored its abort signal for ${this.options.abandonHandlerAfterMs} ms: abandoned; nothing reported`,
        );
      } else if ('report' in settled) {
        if (!settled.report) {
          throw new Error(
            `${WORKER_SHUTDOWN_ERROR}: the worker was force-closed; the task is left unreported`,
          );
        }
        outcome = failureOutcomeOf(
          WORKER_SHUTDOWN_ERROR,
          'The worker was force-closed while the task ran.',
          [],
        );
      } else if (controller?.signal.aborted === true && cancelReasonOf(controller.signal) === 'task-gone') {
        throw gone === 'invalid-token'
          ? jobFailure(INVALID_TOKEN_JOB_ERROR, `${INVALID_TOKEN_MEANING}; nothing was reported`)
          : jobFailure(TASK_GONE_JOB_ERROR, 'the task closed while the handler ran; nothing reported');
      } else if (settled.ok) {
        outcome = successOutcome(settled.value);
      } else {
        const { error } = settled;
        if (this.options.retryInBullmq && hasAttemptsLeft(job) && isRetryable(error)) {
          log().info(
            { err: loggableError(error), attemptsMade: job.attemptsMade },
            'handler failed; BullMQ retries it first',
          );
          throw retryError(error);
        }
        outcome = failureOutcome(error);
        thrown = { err: loggableError(error) };
      }

      const stored: StoredActivityJobData = { ...data, sfnOutcome: outcome };
      await job.updateData(stored);
      await this.options.hooks.afterOutcomeStored?.(job, outcome);
      return await this.send(data.taskToken, outcome, false, log, thrown);
    } finally {
      clearTimeout(abandonTimer);
      heartbeater.stop();
      if (linked) bullSignal?.removeEventListener('abort', onJobCancelled);
      this.running.delete(task);
      finish();
    }
  }

  private async probe(
    heartbeater: Heartbeater,
    log: () => Logger,
  ): Promise<'alive' | 'gone' | 'invalid-token'> {
    try {
      return await heartbeater.probe();
    } catch (error) {
      log().warn({ err: error }, 'could not check the task with a heartbeat; running it anyway');
      return 'alive';
    }
  }

  private async send(
    taskToken: string,
    outcome: StoredOutcome,
    resend: boolean,
    log: () => Logger,
    thrown?: { err: unknown },
  ): Promise<ActivityJobResult> {
    const result = await this.reporter.report(taskToken, outcome, resend);
    switch (result) {
      case 'sent':
        if (outcome.kind === 'failure') {
          // One line per failure, at info: the task failed as the handler (or its output) said.
          log().info({ ...thrown, outcome: outcome.kind, error: outcome.error }, 'reported SendTaskFailure');
          throw reportedFailure(outcome, false);
        }
        // Checked first: making the child logger costs more than the rest of a successful report.
        if (this.options.logger.isLevelEnabled('debug')) log().debug({ outcome: outcome.kind }, 'reported');
        return { reported: 'success' };
      case 'maybe-sent':
        log().info(
          { outcome: outcome.kind },
          'the task was already closed when the report was repeated: closed, maybe already reported',
        );
        if (outcome.kind === 'failure') throw reportedFailure(outcome, true);
        return { reported: 'maybe' };
      case 'task-gone':
        log().warn(
          { outcome: outcome.kind },
          'the task closed before its outcome was reported (timed out or execution stopped): cancelled',
        );
        throw jobFailure(TASK_GONE_JOB_ERROR, 'the task closed before its outcome was reported');
      case 'invalid-token':
        log().error({ outcome: outcome.kind }, `${INVALID_TOKEN_MEANING}; nothing was reported`);
        throw jobFailure(INVALID_TOKEN_JOB_ERROR, `${INVALID_TOKEN_MEANING}; nothing was reported`);
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
