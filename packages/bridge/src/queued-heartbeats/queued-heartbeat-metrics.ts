// Metrics of queued heartbeats, in the bridge's registry (so the service's /metrics shows them).
// Every series carries `activity` and `queue`, as the bridge's own.
import { Counter, Gauge, type Registry } from 'prom-client';

const LABELS = ['activity', 'queue'] as const;
type Labels = (typeof LABELS)[number];

/** One instance per registry (prom-client forbids duplicate names). */
export class QueuedHeartbeatMetrics {
  readonly sent: Counter<Labels>;
  readonly errors: Counter<Labels | 'error'>;
  readonly swept: Counter<Labels | 'reason'>;
  readonly tracked: Gauge<Labels>;
  readonly atRisk: Gauge<Labels>;
  readonly duty: Gauge<Labels>;
  readonly ratePerSecond: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.sent = new Counter({
      name: 'sfn_bullmq_bridge_queued_heartbeats_total',
      help: 'SendTaskHeartbeat calls the bridge made for tasks waiting in the queue that succeeded.',
      labelNames: LABELS,
      registers,
    });
    this.errors = new Counter({
      name: 'sfn_bullmq_bridge_queued_heartbeat_errors_total',
      help: 'Queued-task SendTaskHeartbeat calls that failed, by error name (ThrottlingException, TaskTimedOut…).',
      labelNames: [...LABELS, 'error'],
      registers,
    });
    this.swept = new Counter({
      name: 'sfn_bullmq_bridge_queued_tasks_swept_total',
      help: 'Waiting jobs removed because a heartbeat found their task closed, by the error that said so.',
      labelNames: [...LABELS, 'reason'],
      registers,
    });
    this.tracked = new Gauge({
      name: 'sfn_bullmq_bridge_queued_heartbeat_tasks',
      help: 'Task tokens the queued-heartbeat index holds (waiting jobs, and finished ones not yet looked at).',
      labelNames: LABELS,
      registers,
    });
    this.atRisk = new Gauge({
      name: 'sfn_bullmq_bridge_queued_heartbeat_tasks_at_risk',
      help: 'Tracked tasks that have gone longer than queuedHeartbeatIntervalMs without a heartbeat (budget or throttling short).',
      labelNames: LABELS,
      registers,
    });
    this.duty = new Gauge({
      name: 'sfn_bullmq_bridge_queued_heartbeat_duty',
      help: '1 while this bridge holds the duty to heartbeat the queue (one bridge per queue), else 0.',
      labelNames: LABELS,
      registers,
    });
    this.ratePerSecond = new Gauge({
      name: 'sfn_bullmq_bridge_queued_heartbeat_rate_per_second',
      help: 'Queued heartbeats per second the budget allows now (queuedHeartbeatsPerSecond, less after throttling).',
      registers,
    });
  }
}
