// Runs one job: stored outcome → re-send; else handler with heartbeats, outcome
// stored on the job in Redis, then sent. Holds the running tasks so a worker can cancel them.
import { tokenDigest, type ActivityJobData } from '@sfn-bullmq/protocol';
import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { ActivityCancelledError, cancelReasonOf } from './activity-cancelled-error.js';
import type { ActivityContext, ActivityHandler, ActivityInfo } from './activity-context.js';
import { isActivityFailure } from './activity-failure.js';
import { Heartbeater } from './heartbeater.js';
import type { CompiledActivityProcessorOptions } from './processor-options.js';
import { TaskReporter } from './task-reporter.js';
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

/** The job's return value: what was reported (`maybe`: the task was closed, probably reported earlier). */
export interface ActivityJobResult {
  reported: 'success' | 'failure' | 'maybe';
}

/** Message prefix of the UnrecoverableError that ends a job whose task is gone (the job ends as cancelled). */
export const TASK_GONE_JOB_ERROR = 'SfnBullmq.TaskGone';

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

  constructor(
    private readonly handler: ActivityHandler<I, O>,
    private readonly options: CompiledActivityProcessorOptions,
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
    const data = job.data as StoredActivityJobData;
    if (typeof data?.taskToken !== 'string' || data.taskToken === '') {
      // Nothing can be reported without a token; retrying would not give it one.
      throw new UnrecoverableError(
        'SfnBullmq.InvalidJob: the job data has no taskToken (not an ActivityJobData)',
      );
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
        log().warn(
          { err: error },
          'heartbeat found the task closed (timed out or execution stopped): aborting the handler',
        );
        controllerOf().abort(
          new ActivityCancelledError('task-gone', 'the task is closed (timed out or its execution stopped)', {
            cause: error,
          }),
        );
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
        if ((await this.probe(heartbeater, log)) === 'gone') {
          log().warn(
            { ageMs },
            'the task closed while its token waited in the queue: cancelled, the handler does not run',
          );
          throw new UnrecoverableError(
            `${TASK_GONE_JOB_ERROR}: the task closed while its token waited in the queue`,
          );
        }
      }

      const context = this.context(
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
      const settled = await Promise.race([handled, task.shutdown]);
      heartbeater.stop();

      let outcome: StoredOutcome;
      if ('report' in settled) {
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
        throw new UnrecoverableError(
          `${TASK_GONE_JOB_ERROR}: the task closed while the handler ran; nothing reported`,
        );
      } else if (settled.ok) {
        outcome = successOutcome(settled.value);
      } else {
        const { error } = settled;
        if (this.options.retryInBullmq && isRetryable(error) && hasAttemptsLeft(job)) {
          log().info(
            { err: error, attemptsMade: job.attemptsMade },
            'handler failed; BullMQ retries it first',
          );
          throw error;
        }
        outcome = failureOutcome(error);
      }

      const stored: StoredActivityJobData = { ...data, sfnOutcome: outcome };
      await job.updateData(stored);
      await this.options.hooks.afterOutcomeStored?.(job, outcome);
      return await this.send(data.taskToken, outcome, false, log);
    } finally {
      heartbeater.stop();
      if (linked) bullSignal?.removeEventListener('abort', onJobCancelled);
      this.running.delete(task);
      finish();
    }
  }

  private context(
    job: Job<ActivityJobData>,
    data: ActivityJobData,
    signal: () => AbortSignal,
    log: () => Logger,
    heartbeat: (details?: unknown) => void,
  ): ActivityContext {
    const info: ActivityInfo = {
      activityArn: data.activityArn,
      activityName: data.activityArn.slice(data.activityArn.lastIndexOf(':') + 1),
      queueName: job.queueName,
      jobId: job.id ?? '',
      attempt: Math.max(job.attemptsStarted ?? 0, job.attemptsMade + 1),
      receivedAt: new Date(data.receivedAt),
      workerName: data.workerName,
    };
    // The child logger is made on first use: most handlers never log, and pino children are not free.
    return {
      get signal() {
        return signal();
      },
      heartbeat,
      info,
      job,
      get log() {
        return log();
      },
    };
  }

  private async probe(heartbeater: Heartbeater, log: () => Logger): Promise<'alive' | 'gone'> {
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
  ): Promise<ActivityJobResult> {
    const result = await this.reporter.report(taskToken, outcome, resend);
    switch (result) {
      case 'sent':
        // Checked first: making the child logger costs more than the rest of a successful report.
        if (this.options.logger.isLevelEnabled('debug')) log().debug({ outcome: outcome.kind }, 'reported');
        return { reported: outcome.kind };
      case 'maybe-sent':
        log().info(
          { outcome: outcome.kind },
          'the task was already closed when the report was repeated: closed, maybe already reported',
        );
        return { reported: 'maybe' };
      case 'task-gone':
        log().warn(
          { outcome: outcome.kind },
          'the task closed before its outcome was reported (timed out or execution stopped): cancelled',
        );
        throw new UnrecoverableError(
          `${TASK_GONE_JOB_ERROR}: the task closed before its outcome was reported`,
        );
    }
  }
}

/** `ActivityFailure.nonRetryable` is final; anything else may be retried. */
function isRetryable(error: unknown): boolean {
  return !isActivityFailure(error) || error.retryable;
}

function hasAttemptsLeft(job: Job): boolean {
  return job.attemptsMade + 1 < (job.opts.attempts ?? 1);
}
