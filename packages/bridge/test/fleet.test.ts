// Bridges in one process sharing an ARN's budget through a private Redis, against the emulator that
// refuses every poll past the budget. The kill -9 and join cases run on real processes (test/e2e s11).
// On Redis Cluster the fleet is one hash-tagged key per ARN; fleet-cluster.test.ts runs it there,
// through a failover of that key's master.
import type {} from '@sfn-bullmq/test-support/vitest-global-setup';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { Harness, until } from './harness.js';

const redisUrl = inject('redisUrl');
const FLEET = { leaseTtlMs: 3_000, pollHoldMs: 1_000 };
let harness: Harness;

afterEach(async () => {
  await harness.closeAll();
});

describe('Bridges sharing an ARN (fleet)', () => {
  it('split fleetPolls evenly, free a closed bridge’s share at once, and show it in status and metrics', async () => {
    harness = new Harness();
    await harness.startEmulator({ pollTimeoutMs: 1_000, maxPollsPerActivity: 60 });
    const arn = harness.activity('fleet');
    const pool = { activityArn: arn, polls: 60, fleetPolls: 60 };
    const first = harness.bridge(redisUrl, [pool], { fleet: FLEET });
    const second = harness.bridge(redisUrl, [pool], { fleet: FLEET, workerName: 'bridge-test-2' });
    await Promise.all([first.start(), second.start()]);
    const shares = (): (number | undefined)[] =>
      [first, second].map((b) => b.status().activities[0]?.fleet?.sharePolls);
    await until(
      () => harness.stats(arn).openPolls === 60 && shares().every((n) => n === 30),
      15_000,
      'two bridges at 30 polls each',
    );
    expect(first.status().activities[0]).toMatchObject({
      targetPolls: 30,
      fleet: { state: 'live', bridges: 2, sharePolls: 30, budgetPolls: 60 },
    });
    const metrics = await first.registry.metrics();
    expect(metrics).toMatch(/^sfn_bullmq_bridge_fleet_bridges\{[^}]*\} 2$/m);
    expect(metrics).toMatch(/^sfn_bullmq_bridge_fleet_share_polls\{[^}]*\} 30$/m);
    expect(metrics).toMatch(/^sfn_bullmq_bridge_fleet_budget_polls\{[^}]*\} 60$/m);

    // A clean close leaves: the other sees it gone, not as a ghost whose lease ran out (a kill -9).
    await second.close();
    await until(() => first.status().activities[0]?.fleet?.bridges === 1, 15_000, 'one bridge left');
    expect(first.status().activities[0]?.fleet?.ghosts).toBe(0);
    await until(
      () => harness.stats(arn).openPolls === 60 && first.status().activities[0]?.fleet?.sharePolls === 60,
      15_000,
      'the remaining bridge at 60',
    );
    expect(harness.stats(arn).workerLimitRefused).toBe(0);
  });

  it('polls only its own polls with the fleet off', async () => {
    harness = new Harness();
    await harness.startEmulator({ pollTimeoutMs: 1_000 });
    const arn = harness.activity('nofleet');
    const bridge = harness.bridge(redisUrl, [{ activityArn: arn, polls: 20, fleetPolls: 5 }], {
      fleet: { enabled: false },
    });
    await bridge.start();
    await until(() => harness.stats(arn).openPolls === 20, 10_000, '20 open polls');
    expect(bridge.status().activities[0]?.fleet).toBeUndefined();
  });
});
