// The worker's Prometheus metrics, in a prom-client Registry the app owns, named like the bridge's
// (`sfn_bullmq_*`); every task series carries `activity` (the activity's name) and `queue`.
import { isTaskGoneError, isThrottlingError, isTransientError, sfnErrorName } from '@sfn-bullmq/protocol';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { InvalidWorkerOptionError } from '../invalid-worker-option-error.js';
import type {
  ActivityRunObservation,
  ActivityRunObserver,
  ObservedRun,
  RunEnd,
  SendCall,
} from '../run-observer.js';

export interface WorkerMetricsOptions {
  /**
   * How many distinct error names `sfn_bullmq_worker_tasks_finished_total` keeps as its `error` label;
   * later ones count as `other`, so a handler that puts ids in its error names cannot blow up the series.
   * @default 50
   */
  maxErrorNames?: number;
}

/** What a failed Send* was, for the `result` and `type` labels: a closed set, never the raw error name. */
export type SendErrorType = 'throttling' | 'transient' | 'task_gone' | 'invalid_token' | 'other';

/** Label value of `error` past the cap. */
export const OTHER_ERROR_LABEL = 'other';

/** Seconds, from a fast queue (ms) to one that waits past any sensible HeartbeatSeconds (an hour). */
const WAIT_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600,
];
const DURATION_BUCKETS = [
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600,
];
const LABELS = ['activity', 'queue'] as const;
type TaskLabel = 'activity' | 'queue';

/**
 * The hot counts of one queue and activity, kept as plain numbers and handed to prom-client when it is
 * scraped (`collect`): prom-client hashes the labels on every `inc`, even on a `labels()` child, and
 * the eight per task showed in the processor's profile. Rare series (errors, retries) go straight in.
 */
interface TaskSeries {
  labels: { activity: string; queue: string };
  started: number;
  resent: number;
  succeeded: number;
  running: number;
  heartbeatsSent: number;
  sendOk: Record<SendCall, number>;
  queueWait: ReturnType<Histogram<TaskLabel>['labels']>;
  handlerDuration: ReturnType<Histogram<TaskLabel>['labels']>;
}

const SEND_CALLS: readonly SendCall[] = ['SendTaskSuccess', 'SendTaskFailure', 'SendTaskHeartbeat'];

/**
 * All the worker's metrics in one registry; one instance per registry (prom-client forbids duplicate
 * names). Give `observer` to every `ActivityWorker` (option `observers`) whose runs it should count.
 */
export class WorkerMetrics {
  readonly tasksStarted: Counter<TaskLabel>;
  readonly tasksFinished: Counter<TaskLabel | 'outcome' | 'error'>;
  readonly outcomesResent: Counter<TaskLabel>;
  readonly queueWait: Histogram<TaskLabel>;
  readonly handlerDuration: Histogram<TaskLabel>;
  readonly heartbeats: Counter<TaskLabel | 'result'>;
  readonly sendAttempts: Counter<TaskLabel | 'call' | 'result'>;
  readonly sendRetries: Counter<TaskLabel | 'call' | 'type'>;
  readonly runningHandlers: Gauge<TaskLabel>;
  readonly concurrency: Gauge<'queue'>;
  /** Pass it in `observers` of each worker (or processor) to count. */
  readonly observer: ActivityRunObserver;
  private readonly maxErrorNames: number;
  private readonly errorNames = new Set<string>();
  private readonly series = new Map<string, TaskSeries>();

  constructor(
    readonly registry: Registry,
    options: WorkerMetricsOptions = {},
  ) {
    const maxErrorNames = options.maxErrorNames ?? 50;
    if (!Number.isInteger(maxErrorNames) || maxErrorNames < 0 || maxErrorNames > 10_000) {
      throw new InvalidWorkerOptionError(
        'maxErrorNames',
        maxErrorNames,
        'must be an integer from 0 to 10000',
      );
    }
    this.maxErrorNames = maxErrorNames;
    const registers = [registry];
    this.tasksStarted = new Counter({
      name: 'sfn_bullmq_worker_tasks_started_total',
      help: 'Handlers started (one per attempt that runs the handler).',
      labelNames: LABELS,
      registers,
      collect: () => this.flush((series) => this.take(series, 'started', this.tasksStarted)),
    });
    this.tasksFinished = new Counter({
      name: 'sfn_bullmq_worker_tasks_finished_total',
      help: 'Attempts ended, by outcome (succeeded, failed, cancelled, task_gone, maybe_reported, invalid_token, unreported, attempt_failed) and the Step Functions error reported (capped; `other` past it).',
      labelNames: [...LABELS, 'outcome', 'error'],
      registers,
      collect: () =>
        this.flush((series) => {
          if (series.succeeded === 0) return;
          this.tasksFinished.inc({ ...series.labels, outcome: 'succeeded', error: '' }, series.succeeded);
          series.succeeded = 0;
        }),
    });
    this.outcomesResent = new Counter({
      name: 'sfn_bullmq_worker_outcomes_resent_total',
      help: 'Attempts that re-sent the outcome an earlier attempt stored (the handler did not run again).',
      labelNames: LABELS,
      registers,
      collect: () => this.flush((series) => this.take(series, 'resent', this.outcomesResent)),
    });
    this.queueWait = new Histogram({
      name: 'sfn_bullmq_worker_queue_wait_seconds',
      help: "From the bridge's poll receiving the token to the handler starting: it counts against HeartbeatSeconds and TimeoutSeconds.",
      labelNames: LABELS,
      buckets: WAIT_BUCKETS,
      registers,
    });
    this.handlerDuration = new Histogram({
      name: 'sfn_bullmq_worker_handler_duration_seconds',
      help: 'How long handlers ran, returned or threw.',
      labelNames: LABELS,
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.heartbeats = new Counter({
      name: 'sfn_bullmq_worker_heartbeats_total',
      help: 'SendTaskHeartbeat calls, by result: sent, or the error type.',
      labelNames: [...LABELS, 'result'],
      registers,
      collect: () =>
        this.flush((series) => {
          if (series.heartbeatsSent === 0) return;
          this.heartbeats.inc({ ...series.labels, result: 'sent' }, series.heartbeatsSent);
          series.heartbeatsSent = 0;
        }),
    });
    this.sendAttempts = new Counter({
      name: 'sfn_bullmq_worker_send_attempts_total',
      help: "Single SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat calls (each of the client's and our retries counts), by call and result: ok or the error type.",
      labelNames: [...LABELS, 'call', 'result'],
      registers,
      collect: () =>
        this.flush((series) => {
          for (const call of SEND_CALLS) {
            if (series.sendOk[call] === 0) continue;
            this.sendAttempts.inc({ ...series.labels, call, result: 'ok' }, series.sendOk[call]);
            series.sendOk[call] = 0;
          }
        }),
    });
    this.sendRetries = new Counter({
      name: 'sfn_bullmq_worker_send_retries_total',
      help: 'Reports tried again after a transient error (throttling, 5xx, network), by call and error type.',
      labelNames: [...LABELS, 'call', 'type'],
      registers,
    });
    this.runningHandlers = new Gauge({
      name: 'sfn_bullmq_worker_running_handlers',
      help: 'Handlers running now; against sfn_bullmq_worker_concurrency it is the saturation.',
      labelNames: LABELS,
      registers,
      collect: () => this.flush((series) => this.runningHandlers.set(series.labels, series.running)),
    });
    this.concurrency = new Gauge({
      name: 'sfn_bullmq_worker_concurrency',
      help: 'Jobs this process runs at once per queue (the BullMQ worker concurrency).',
      labelNames: ['queue'],
      registers,
    });
    this.observer = {
      workerStarted: ({ queueName, concurrency }) => this.concurrency.inc({ queue: queueName }, concurrency),
      runStarted: (run) => this.observe(run),
    };
  }

  private observe(run: ObservedRun): ActivityRunObservation {
    const series = this.seriesOf(run.queueName, run.activityArn);
    if (run.resend) series.resent += 1;
    return {
      aroundHandler: async (handler) => {
        const startedAt = Date.now();
        series.started += 1;
        series.queueWait.observe(Math.max(0, startedAt - run.receivedAt) / 1000);
        series.running += 1;
        const start = performance.now();
        try {
          return await handler();
        } finally {
          series.handlerDuration.observe((performance.now() - start) / 1000);
          series.running -= 1;
        }
      },
      aroundSend: async (call, send) => {
        try {
          const result = await send();
          series.sendOk[call] += 1;
          if (call === 'SendTaskHeartbeat') series.heartbeatsSent += 1;
          return result;
        } catch (error) {
          const type = sendErrorType(error);
          this.sendAttempts.inc({ ...series.labels, call, result: type });
          if (call === 'SendTaskHeartbeat') this.heartbeats.inc({ ...series.labels, result: type });
          throw error;
        }
      },
      sendRetried: (call, error) =>
        this.sendRetries.inc({ ...series.labels, call, type: sendErrorType(error) }),
      ended: (end) => this.ended(series, end),
    };
  }

  private ended(series: TaskSeries, end: RunEnd): void {
    if (end.outcome === 'succeeded') {
      series.succeeded += 1;
      return;
    }
    this.tasksFinished.inc({ ...series.labels, outcome: end.outcome, error: this.errorLabel(end.error) });
  }

  private flush(each: (series: TaskSeries) => void): void {
    for (const series of this.series.values()) each(series);
  }

  /** Moves a pending count into its counter. */
  private take(series: TaskSeries, field: 'started' | 'resent', counter: Counter<TaskLabel>): void {
    if (series[field] === 0) return;
    counter.inc(series.labels, series[field]);
    series[field] = 0;
  }

  /** The error name as a label, while fewer than `maxErrorNames` distinct ones were seen; else `other`. */
  private errorLabel(error: string | undefined): string {
    if (error === undefined) return '';
    if (this.errorNames.has(error)) return error;
    if (this.errorNames.size >= this.maxErrorNames) return OTHER_ERROR_LABEL;
    this.errorNames.add(error);
    return error;
  }

  private seriesOf(queue: string, activityArn: string): TaskSeries {
    const key = `${queue}\n${activityArn}`;
    const found = this.series.get(key);
    if (found !== undefined) return found;
    const labels = { activity: activityNameOf(activityArn), queue };
    const series: TaskSeries = {
      labels,
      started: 0,
      resent: 0,
      succeeded: 0,
      running: 0,
      heartbeatsSent: 0,
      sendOk: { SendTaskSuccess: 0, SendTaskFailure: 0, SendTaskHeartbeat: 0 },
      queueWait: this.queueWait.labels(labels),
      handlerDuration: this.handlerDuration.labels(labels),
    };
    this.series.set(key, series);
    return series;
  }
}

/** What a failed Send* was: a closed set of types (docs/step-functions.md#error-names). */
export function sendErrorType(error: unknown): SendErrorType {
  if (sfnErrorName(error) === 'InvalidToken') return 'invalid_token';
  if (isTaskGoneError(error)) return 'task_gone';
  if (isThrottlingError(error)) return 'throttling';
  if (isTransientError(error)) return 'transient';
  return 'other';
}

/** The name part of an activity ARN (`arn:…:activity:resize` → `resize`), as the bridge labels it. */
function activityNameOf(activityArn: string): string {
  const at = activityArn.lastIndexOf(':');
  return at < 0 ? activityArn : activityArn.slice(at + 1);
}
