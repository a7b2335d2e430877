// The bridge on a private Redis Cluster (3 masters + 3 replicas), started once for this file.
import { isRedisEvictionPolicyError, jobIdForToken } from '@sfn-bullmq/protocol';
import { RedisCluster } from '@sfn-bullmq/test-support';
import { Cluster } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Bridge, InvalidBridgeOptionError } from '../src/index.js';
import { CREDENTIALS, Harness, until } from './harness.js';

let cluster: RedisCluster;
let client: Cluster;
let harness: Harness;

beforeAll(async () => {
  cluster = await RedisCluster.start();
  client = new Cluster(cluster.nodes, { redisOptions: { maxRetriesPerRequest: null } });
  client.on('error', () => undefined);
}, 60_000);
afterAll(async () => {
  client.disconnect();
  await cluster.close();
});
afterEach(() => harness.closeAll());

const connection = () => ({ cluster: { nodes: cluster.nodes } });
const nameOf = (arn: string) => arn.slice(arn.lastIndexOf(':') + 1);

describe('Bridge on a Redis Cluster', () => {
  it('stores every token as a job, each queue in its own hash-tag slot', async () => {
    harness = new Harness();
    await harness.startEmulator();
    const arns = [harness.activity('c-one'), harness.activity('c-two')];
    const queueNames = arns.map((arn) => `{${nameOf(arn)}}`);
    const bridge = harness.bridge(
      connection(),
      arns.map((activityArn, i) => ({ activityArn, queueName: queueNames[i], polls: 10 })),
    );
    await bridge.start();
    expect(bridge.status().redisSafety).toMatchObject({ state: 'safe', cluster: { masters: 3 } });
    const N = 50;
    for (const arn of arns) {
      for (let n = 0; n < N; n += 1) harness.emulator.scheduleTask(arn, JSON.stringify({ n }));
    }
    const queues = queueNames.map((name) => harness.queue(client, name ?? ''));
    for (const queue of queues) {
      await until(async () => (await harness.jobCount(queue)) === N, 15_000, `${N} jobs in ${queue.name}`);
      const jobs = await queue.getJobs(['waiting'], 0, N);
      for (const job of jobs) expect(job.id).toBe(jobIdForToken(job.data.taskToken));
    }
    for (const arn of arns) expect(harness.stats(arn).lostTokens.total).toBe(0);
  });

  it('refuses a queue name whose keys would spread over slots, naming the option and the fix', () => {
    harness = new Harness();
    const arn = 'arn:aws:states:us-east-1:123456789012:activity:orders';
    let error: unknown;
    try {
      new Bridge({
        connection: connection(),
        sfn: { region: 'us-east-1', endpoint: 'http://127.0.0.1:1', credentials: CREDENTIALS },
        activities: [{ activityArn: arn }],
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidBridgeOptionError);
    expect(error).toMatchObject({ option: 'activities[0].queueName', value: 'orders' });
    expect((error as Error).message).toContain("queueName '{orders}'");
  });

  it('refuses to start when one master may evict, before any poll opens', async () => {
    harness = new Harness();
    await harness.startEmulator();
    const arn = harness.activity('c-evict');
    const [, second] = client.nodes('master');
    if (second === undefined) throw new Error('no second master');
    await second.config('SET', 'maxmemory-policy', 'allkeys-lru');
    harness.onClose(() => second.config('SET', 'maxmemory-policy', 'noeviction'));
    const bridge = harness.bridge(connection(), [{ activityArn: arn, queueName: `{${nameOf(arn)}}` }]);
    const error: unknown = await bridge.start().catch((e: unknown) => e);
    expect(isRedisEvictionPolicyError(error)).toBe(true);
    expect((error as Error).message).toContain(`cluster master 127.0.0.1:${second.options.port}`);
    expect(harness.stats(arn).openPolls).toBe(0);
  });
});
