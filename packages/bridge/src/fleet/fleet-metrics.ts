// The fleet's Prometheus gauges, beside the bridge's (same `activity` and `queue` labels).
import { Gauge, type Registry } from 'prom-client';

const LABELS = ['activity', 'queue'] as const;
type Labels = (typeof LABELS)[number];

/** One instance per registry (prom-client forbids duplicate names). */
export class FleetMetrics {
  readonly bridges: Gauge<Labels>;
  readonly sharePolls: Gauge<Labels>;
  readonly openPolls: Gauge<Labels>;
  readonly budgetPolls: Gauge<Labels>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.bridges = new Gauge({
      name: 'sfn_bullmq_bridge_fleet_bridges',
      help: 'Live bridges polling this activity ARN (leases in Redis), this one included.',
      labelNames: LABELS,
      registers,
    });
    this.sharePolls = new Gauge({
      name: 'sfn_bullmq_bridge_fleet_share_polls',
      help: "This bridge's share of the fleet's poll budget: the most polls it may open now.",
      labelNames: LABELS,
      registers,
    });
    this.openPolls = new Gauge({
      name: 'sfn_bullmq_bridge_fleet_open_polls',
      help: 'Open polls on this ARN across the fleet, as each bridge last reported them.',
      labelNames: LABELS,
      registers,
    });
    this.budgetPolls = new Gauge({
      name: 'sfn_bullmq_bridge_fleet_budget_polls',
      help: "The fleet's poll budget on this ARN (fleetPolls; the lowest its bridges were given).",
      labelNames: LABELS,
      registers,
    });
  }
}
