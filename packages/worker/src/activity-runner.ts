// The BullMQ processor around a handler: checks each job's data once, then hands it to an ActivityRun;
// holds the runs whose handler is running, so a forced close can cancel them all.
import { isInvalidJobError, parseActivityJob, type ActivityJobData } from '@sfn-bullmq/protocol';
import type { Job } from 'bullmq';
import { setTimeout as delay } from 'node:timers/promises';
import type { ActivityHandler } from './activity-context.js';
import { ActivityRun, type StoredActivityJobData } from './activity-run.js';
import { refuseInvalidJob } from './invalid-job.js';
import type { ActivityJobResult } from './job-end.js';
import { toBullmqError } from './job-end-errors.js';
import { ObservedAttempt } from './observed-attempt.js';
import type { ActivityRunnerOptions } from './processor-options.js';
import { TaskReporter, type TaskReporterOptions } from './task-reporter.js';
import { parseStoredOutcome } from './task-outcome.js';

export class ActivityRunner<I = unknown, O = unknown> {
  private readonly running = new Set<ActivityRun<I, O>>();
  private readonly reporter: TaskReporter;
  private readonly reporterOptions: TaskReporterOptions;
  private abandoned = 0;

  constructor(
    private readonly handler: ActivityHandler<I, O>,
    private readonly options: ActivityRunnerOptions,
  ) {
    this.reporterOptions = {
      sendRetryTimeoutMs: options.sendRetryTimeoutMs,
      backoff: { baseMs: 100, maxMs: 5_000 },
      onRetry: (error, attempt, delayMs) =>
        options.logger.warn({ err: error, attempt, delayMs }, 'report failed transiently; retrying'),
    };
    this.reporter = new TaskReporter(options.sender, this.reporterOptions);
  }

  /**
   * The BullMQ processor. It declares three parameters because BullMQ only passes the abort signal
   * (used by `worker.cancelJob`) to processors whose `length` is at least 3.
   */
  readonly process = (
    job: Job<ActivityJobData>,
    _token: string | undefined,
    signal: AbortSignal | undefined,
  ) =>
    this.run(job, signal).catch((error: unknown) => {
      throw toBullmqError(error);
    });

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
   * Cancels every running run with reason 'shutdown' and stops waiting for their handlers. With `report`,
   * each task is reported failed (`SfnBullmq.WorkerShutdown`); without it, it is left as it is (its job
   * stays active until BullMQ's stalled check gives it to another worker, or Step Functions' heartbeat
   * timeout closes it). Resolves when those runs have finished, or after `timeoutMs`.
   */
  async shutdown(report: boolean, timeoutMs: number): Promise<void> {
    const runs = [...this.running];
    for (const run of runs) run.cancel({ reason: 'shutdown', report });
    const timeout = new AbortController();
    await Promise.race([
      Promise.all(runs.map((run) => run.done)),
      delay(timeoutMs, undefined, { signal: timeout.signal }).catch(() => undefined),
    ]);
    timeout.abort();
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
    const deps = {
      handler: this.handler,
      options: this.options,
      reporter: this.reporter,
      onAbandoned: () => (this.abandoned += 1),
    };
    // Metrics and tracing (docs/observability.md): nothing is wrapped unless an observer is configured.
    const observed =
      this.options.observers.length === 0
        ? undefined
        : ObservedAttempt.start(this.options.observers, job, data, this.options.logger);
    const run = new ActivityRun(
      job,
      data,
      bullSignal,
      observed === undefined ? deps : observed.deps(deps, this.reporterOptions),
    );
    if (data.sfnOutcome !== undefined) {
      const resent = run.resend(data.sfnOutcome);
      return observed === undefined ? resent : observed.settle(resent);
    }
    this.running.add(run);
    try {
      const executed = run.execute();
      return await (observed === undefined ? executed : observed.settle(executed));
    } finally {
      this.running.delete(run);
    }
  }
}
