// The bridge's Prometheus metrics, kept in a prom-client Registry the app reads.
// Every series carries `activity` (the activity's name) and `queue`.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What a poll error was, as the pool classified it (the `type` label). */
export type PollErrorType = 'throttling' | 'transient' | 'activity_missing' | 'worker_limit' | 'other';

const LABELS = ['activity', 'queue'] as const;

/** All the bridge's metrics in one registry; one instance per registry (prom-client forbids duplicate names). */
export class BridgeMetrics {
  readonly openPolls: Gauge<'activity' | 'queue'>;
  readonly targetPolls: Gauge<'activity' | 'queue'>;
  readonly pollsReturned: Counter<'activity' | 'queue' | 'result'>;
  readonly pollErrors: Counter<'activity' | 'queue' | 'type'>;
  readonly tokensEnqueued: Counter<'activity' | 'queue'>;
  readonly enqueueRetries: Counter<'activity' | 'queue'>;
  readonly enqueueLatency: Histogram<'activity' | 'queue'>;
  readonly heldTokens: Gauge<'activity' | 'queue'>;
  readonly backpressure: Gauge<'activity' | 'queue'>;
  readonly failuresReported: Counter<'activity' | 'queue'>;
  readonly failureReportErrors: Counter<'activity' | 'queue'>;

  constructor(readonly registry: Registry) {
    const registers = [registry];
    this.openPolls = new Gauge({
      name: 'sfn_bullmq_bridge_open_polls',
      help: 'GetActivityTask calls open now.',
      labelNames: LABELS,
      registers,
    });
    this.targetPolls = new Gauge({
      name: 'sfn_bullmq_bridge_target_polls',
      help: 'Polls the pool aims to keep open (lower than configured after ActivityWorkerLimitExceeded).',
      labelNames: LABELS,
      registers,
    });
    this.pollsReturned = new Counter({
      name: 'sfn_bullmq_bridge_polls_total',
      help: 'GetActivityTask calls that returned, by result: task or empty.',
      labelNames: [...LABELS, 'result'],
      registers,
    });
    this.pollErrors = new Counter({
      name: 'sfn_bullmq_bridge_poll_errors_total',
      help: 'GetActivityTask calls that failed, by type.',
      labelNames: [...LABELS, 'type'],
      registers,
    });
    this.tokensEnqueued = new Counter({
      name: 'sfn_bullmq_bridge_tokens_enqueued_total',
      help: 'Task tokens stored as BullMQ jobs (Redis acknowledged the add).',
      labelNames: LABELS,
      registers,
    });
    this.enqueueRetries = new Counter({
      name: 'sfn_bullmq_bridge_enqueue_retries_total',
      help: 'Adds to Redis that failed or timed out and were tried again.',
      labelNames: LABELS,
      registers,
    });
    this.enqueueLatency = new Histogram({
      name: 'sfn_bullmq_bridge_enqueue_latency_seconds',
      help: 'Time from a poll returning a token to Redis acknowledging its job.',
      labelNames: LABELS,
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.heldTokens = new Gauge({
      name: 'sfn_bullmq_bridge_held_tokens',
      help: 'Task tokens received and not yet stored in Redis.',
      labelNames: LABELS,
      registers,
    });
    this.backpressure = new Gauge({
      name: 'sfn_bullmq_bridge_backpressure',
      help: '1 while the queue is at its high-water mark and no new polls open.',
      labelNames: LABELS,
      registers,
    });
    this.failuresReported = new Counter({
      name: 'sfn_bullmq_bridge_enqueue_failures_reported_total',
      help: 'Tokens reported with SendTaskFailure SfnBullmq.EnqueueFailed because Redis did not store them in time.',
      labelNames: LABELS,
      registers,
    });
    this.failureReportErrors = new Counter({
      name: 'sfn_bullmq_bridge_failure_report_errors_total',
      help: 'SendTaskFailure calls for unstored tokens that failed themselves (the task then waits for its timeout).',
      labelNames: LABELS,
      registers,
    });
  }
}
