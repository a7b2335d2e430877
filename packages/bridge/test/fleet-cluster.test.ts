// Bridges in one process sharing an ARN's budget on a private Redis Cluster, whose master serving the
// fleet key's slot is killed with SIGKILL. While the slot has no master the leases cannot renew, so no
// share may grow; after the replica is promoted they renew there, and a newcomer settles the even split
// (docs/architecture.md#fleet). The emulator refuses every poll past the budget, so an overshoot shows.
import { RedisCluster } from '@sfn-bullmq/test-support';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Bridge } from '../src/index.js';
import { fleetKey } from '../src/fleet/fleet-store.js';
import { Harness, until } from './harness.js';

const FLEET = { leaseTtlMs: 3_000, pollHoldMs: 1_000 };
const BUDGET = 12;
let cluster: RedisCluster;
let harness: Harness;

beforeAll(async () => {
  cluster = await RedisCluster.start();
}, 60_000);
afterAll(() => cluster.close());
afterEach(() => harness.closeAll());

const nameOf = (arn: string) => arn.slice(arn.lastIndexOf(':') + 1);

/** Lease expiry (ms, Redis's clock) of each member of the fleet, read on one node. */
async function leaseExpiries(port: number, arn: string): Promise<Map<string, number>> {
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const entries = await redis.hgetall(fleetKey(arn));
    return new Map(
      Object.entries(entries).map(([id, raw]) => [id, Number((JSON.parse(raw) as { e: number }).e)]),
    );
  } finally {
    redis.disconnect();
  }
}

describe('Bridges sharing an ARN on a Redis Cluster whose fleet master fails over', () => {
  it('keep their shares while the slot has no master, renew on the promoted replica, and let a newcomer settle the split', async () => {
    harness = new Harness();
    await harness.startEmulator({ pollTimeoutMs: 1_000, maxPollsPerActivity: BUDGET });
    const arn = harness.activity('fleet-cl');
    const connection = { cluster: { nodes: cluster.nodes } };
    const pool = { activityArn: arn, queueName: `{${nameOf(arn)}}`, polls: BUDGET, fleetPolls: BUDGET };
    const bridge = (n: number): Bridge =>
      harness.bridge(connection, [pool], { fleet: FLEET, workerName: `fleet-cluster-${n}` });
    const bridges = [bridge(1), bridge(2)];
    await Promise.all(bridges.map((b) => b.start()));
    const shares = (): (number | undefined)[] =>
      bridges.map((b) => b.status().activities[0]?.fleet?.sharePolls);
    await until(
      () => harness.stats(arn).openPolls === BUDGET && shares().every((n) => n === BUDGET / 2),
      20_000,
      'two bridges at 6 polls each',
    );

    // What each bridge may open, sampled from the kill until the replica serves the slot.
    const peakShares = [0, 0];
    const sampler = setInterval(() => {
      shares().forEach((n, i) => (peakShares[i] = Math.max(peakShares[i] ?? 0, n ?? 0)));
    }, 20);
    const master = await cluster.masterOf(fleetKey(arn));
    await cluster.kill(master);
    const promoted = await cluster
      .waitForFailover(fleetKey(arn), master.port)
      .finally(() => clearInterval(sampler));
    const promotedAt = Date.now();
    expect(peakShares).toEqual([BUDGET / 2, BUDGET / 2]);

    // Both leases renewed on the new master after it took over, and the bridges are live again.
    const ids = bridges.map((b) => b.status().activities[0]?.fleet?.id ?? '');
    await until(
      async () => {
        const expiries = await leaseExpiries(promoted.port, arn);
        return ids.every((id) => (expiries.get(id) ?? 0) > promotedAt + FLEET.leaseTtlMs / 2);
      },
      20_000,
      'both leases renewed on the promoted master',
    );
    await until(
      () => bridges.every((b) => b.status().activities[0]?.fleet?.state === 'live'),
      20_000,
      'both leases live',
    );
    expect(shares().reduce<number>((sum, n) => sum + (n ?? 0), 0)).toBeLessThanOrEqual(BUDGET);

    // A third bridge joining on the promoted master: 4 each, never past the budget.
    bridges.push(bridge(3));
    await bridges[2]?.start();
    await until(
      () => harness.stats(arn).openPolls === BUDGET && shares().every((n) => n === BUDGET / 3),
      30_000,
      'three bridges at 4 polls each',
    );
    expect(bridges[2]?.status().activities[0]?.fleet).toMatchObject({ state: 'live', bridges: 3 });
    expect(harness.stats(arn)).toMatchObject({ workerLimitRefused: 0 });
    expect(harness.stats(arn).openPollsPeak).toBeLessThanOrEqual(BUDGET);
  }, 90_000);
});
