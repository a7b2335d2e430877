import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisCluster } from '../src/index.js';

describe('RedisCluster', () => {
  let cluster: RedisCluster;
  beforeAll(async () => {
    cluster = await RedisCluster.start();
  }, 60_000);
  afterAll(() => cluster.close());

  it('forms 3 masters with a replica each, every slot served', async () => {
    expect(cluster.state).toBe('running');
    const nodes = await cluster.nodesInfo();
    const masters = nodes.filter((n) => n.master);
    expect(masters).toHaveLength(3);
    expect(nodes.filter((n) => !n.master && masters.some((m) => m.id === n.masterId))).toHaveLength(3);
    const served = masters.flatMap((m) => m.slots).reduce((sum, [a, b]) => sum + b - a + 1, 0);
    expect(served).toBe(16_384);
  });

  it('promotes the replica of a killed master, and the data written before is still there', async () => {
    const client = new Cluster(cluster.nodes, { redisOptions: { maxRetriesPerRequest: null } });
    client.on('error', () => undefined);
    try {
      await client.set('{failover}:kept', 'yes');
      // WAIT: the replica has the write before its master dies.
      const master = await cluster.masterOf('{failover}');
      await client.call('WAIT', '1', '5000');
      await cluster.kill(master);
      const promoted = await cluster.waitForFailover('{failover}', master.port);
      expect(promoted.port).not.toBe(master.port);
      expect(await client.get('{failover}:kept')).toBe('yes');
    } finally {
      client.disconnect();
    }
  }, 60_000);

  // Last: it closes the cluster the tests above share (one cluster per file keeps CI short).
  it('close() is idempotent and stops every node', async () => {
    const states: string[] = [];
    cluster.on('stateChange', (s: string) => states.push(s));
    await Promise.all([cluster.close(), cluster.close()]);
    expect(cluster.state).toBe('closed');
    expect(cluster.runningPorts).toEqual([]);
    expect(states).toEqual(['closing', 'closed']);
  });
});
