// The worker on a private Redis Cluster (3 masters + 3 replicas), started once for this file.
import type { ActivityJobData } from '@sfn-bullmq/protocol';
import { RedisCluster, uniqueName } from '@sfn-bullmq/test-support';
import { Queue } from 'bullmq';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivityWorker, InvalidWorkerOptionError } from '../src/index.js';
import {
  credentials,
  deliverTask,
  finishedJob,
  startHarness,
  testLogger,
  type Activity,
  type Harness,
} from './harness.js';

let cluster: RedisCluster;
let client: Cluster;
let harness: Harness;

beforeAll(async () => {
  cluster = await RedisCluster.start();
  client = new Cluster(cluster.nodes, { redisOptions: { maxRetriesPerRequest: null } });
  client.on('error', () => undefined);
  harness = await startHarness();
}, 60_000);
afterAll(async () => {
  await harness.close();
  client.disconnect();
  await cluster.close();
});

describe('ActivityWorker on a Redis Cluster', () => {
  it('runs the handler and reports its output, from a queue in its own hash-tag slot', async () => {
    const name = uniqueName('act');
    const arn = harness.emulator.createActivity(name);
    const queue = new Queue<ActivityJobData>(`{${name}}`, { connection: client });
    const activity: Activity = { name, arn, queue, close: () => queue.close() };
    const worker = new ActivityWorker(queue.name, (input: { n: number }) => ({ doubled: input.n * 2 }), {
      connection: { cluster: { nodes: cluster.nodes } },
      sfn: { endpoint: harness.emulator.endpoint, region: 'us-east-1', credentials },
      logger: testLogger(),
    });
    try {
      await worker.waitUntilReady();
      expect(worker.redisSafety()).toMatchObject({ state: 'safe', cluster: { masters: 3 } });
      const { outcome, job } = await deliverTask(harness, activity, { n: 21 });
      await expect(outcome).resolves.toEqual({ kind: 'succeeded', output: '{"doubled":42}' });
      expect((await finishedJob(queue, job!.id!)).returnvalue).toEqual({ reported: 'success' });
    } finally {
      await worker.close();
      await activity.close();
    }
    expect(worker.state).toBe('closed');
  });

  it('refuses a queue name whose keys would spread over slots, naming the hash tag to set', () => {
    const make = () =>
      new ActivityWorker('orders', () => null, {
        connection: { cluster: { nodes: cluster.nodes } },
        sfn: { endpoint: harness.emulator.endpoint, region: 'us-east-1', credentials },
        logger: testLogger(),
      });
    expect(make).toThrow(InvalidWorkerOptionError);
    expect(make).toThrow(/queueName: .*queueName '\{orders\}'/);
  });
});
