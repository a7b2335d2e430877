// One attempt under the configured observers: starts their observations, wraps the handler, the reporter
// and the sender the run uses, and tells them how the attempt ended. Only built when observers are set.
import type { ActivityJobData } from '@sfn-bullmq/protocol';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { ActivityRunDeps, StoredActivityJobData } from './activity-run.js';
import type { ActivityJobResult } from './job-end.js';
import {
  combineObservations,
  type ActivityRunObservation,
  type ActivityRunObserver,
  type RunEnd,
  type SendCall,
} from './run-observer.js';
import { TaskReporter, type ReportResult, type TaskReporterOptions } from './task-reporter.js';
import type { TaskSender } from './task-sender.js';
import { WORKER_SHUTDOWN_ERROR, type StoredOutcome } from './task-outcome.js';

/** The error a handler stopped by its aborted signal usually reports (ActivityCancelledError's name). */
const CANCELLED_ERRORS: ReadonlySet<string> = new Set(['ActivityCancelledError', WORKER_SHUTDOWN_ERROR]);

export class ObservedAttempt {
  private lastReport: ReportResult | undefined;

  private constructor(
    private readonly observation: ActivityRunObservation,
    private readonly log: Logger,
  ) {}

  /** Starts every observer's observation of this attempt; undefined when none wants it (or they all threw). */
  static start(
    observers: readonly ActivityRunObserver[],
    job: Job<ActivityJobData>,
    data: StoredActivityJobData,
    log: Logger,
  ): ObservedAttempt | undefined {
    const run = {
      queueName: job.queueName,
      activityArn: data.activityArn,
      jobId: job.id,
      receivedAt: data.receivedAt,
      enqueuedAt: typeof job.timestamp === 'number' ? job.timestamp : data.receivedAt,
      attempt: job.attemptsStarted,
      resend: data.sfnOutcome !== undefined,
      traceContext: data.traceContext,
    };
    const observations: ActivityRunObservation[] = [];
    for (const observer of observers) {
      try {
        const observation = observer.runStarted(run);
        if (observation !== undefined) observations.push(observation);
      } catch (error) {
        // An observer's bug must cost its figures, never the task.
        log.warn({ err: error }, 'a run observer threw at the start of a run; it misses this one');
      }
    }
    const combined = combineObservations(observations);
    return combined === undefined ? undefined : new ObservedAttempt(combined, log);
  }

  /** The run's collaborators, wrapped so the observation sees the handler, each Send* and each retry. */
  deps<I, O>(base: ActivityRunDeps<I, O>, reporterOptions: TaskReporterOptions): ActivityRunDeps<I, O> {
    const { observation } = this;
    const sender = observedSender(base.options.sender, observation);
    const aroundHandler = observation.aroundHandler?.bind(observation);
    const handler: ActivityRunDeps<I, O>['handler'] =
      aroundHandler === undefined
        ? base.handler
        : (input, context) => aroundHandler(async () => base.handler(input, context));
    const reporter = new ObservedTaskReporter(
      sender,
      {
        ...reporterOptions,
        onRetry: (error, attempt, delayMs) => {
          reporterOptions.onRetry?.(error, attempt, delayMs);
          observation.sendRetried?.(reporter.call, error, delayMs);
        },
      },
      observation,
      (result) => (this.lastReport = result),
    );
    return { ...base, handler, reporter, options: { ...base.options, sender } };
  }

  /** Waits for the attempt and tells the observation how it ended; the attempt's result or error passes unchanged. */
  async settle(attempt: Promise<ActivityJobResult>): Promise<ActivityJobResult> {
    let end: RunEnd;
    try {
      const result = await attempt;
      end = { outcome: result.reported === 'success' ? 'succeeded' : 'maybe_reported' };
      this.end(end);
      return result;
    } catch (error) {
      this.end(this.endOf(error));
      throw error;
    }
  }

  private end(end: RunEnd): void {
    try {
      this.observation.ended(end);
    } catch (error) {
      this.log.warn({ err: error }, 'a run observer threw at the end of a run');
    }
  }

  /** By name, not instanceof: the ES module and CommonJS builds each have their own classes. */
  private endOf(thrown: unknown): RunEnd {
    const name = thrown instanceof Error ? thrown.name : undefined;
    switch (name) {
      case 'ReportedFailureError': {
        const error = (thrown as { code: string }).code;
        if (this.lastReport === 'maybe-sent') return { outcome: 'maybe_reported', error };
        return { outcome: CANCELLED_ERRORS.has(error) ? 'cancelled' : 'failed', error };
      }
      case 'TaskGoneError':
        return { outcome: 'task_gone', thrown };
      case 'InvalidTokenError':
        return { outcome: 'invalid_token', thrown };
      case 'WorkerShutdownError':
        return { outcome: 'unreported', thrown };
      default:
        return { outcome: 'attempt_failed', thrown };
    }
  }
}

/** A reporter whose whole report (all attempts) runs inside `aroundReport`, and that remembers its answer. */
class ObservedTaskReporter extends TaskReporter {
  /** The call under way, for `sendRetried`. */
  call: SendCall = 'SendTaskSuccess';

  constructor(
    sender: TaskSender,
    options: TaskReporterOptions,
    private readonly observation: ActivityRunObservation,
    private readonly onResult: (result: ReportResult) => void,
  ) {
    super(sender, options);
  }

  override async report(taskToken: string, outcome: StoredOutcome, resend: boolean): Promise<ReportResult> {
    this.call = outcome.kind === 'success' ? 'SendTaskSuccess' : 'SendTaskFailure';
    const report = () => super.report(taskToken, outcome, resend);
    const around = this.observation.aroundReport?.bind(this.observation);
    const result = await (around === undefined ? report() : around(this.call, report));
    this.onResult(result);
    return result;
  }
}

function observedSender(sender: TaskSender, observation: ActivityRunObservation): TaskSender {
  const around = observation.aroundSend?.bind(observation);
  if (around === undefined) return sender;
  return {
    sendTaskSuccess: (taskToken, output) =>
      around('SendTaskSuccess', () => sender.sendTaskSuccess(taskToken, output)),
    sendTaskFailure: (taskToken, error, cause) =>
      around('SendTaskFailure', () => sender.sendTaskFailure(taskToken, error, cause)),
    sendTaskHeartbeat: (taskToken) => around('SendTaskHeartbeat', () => sender.sendTaskHeartbeat(taskToken)),
  };
}
