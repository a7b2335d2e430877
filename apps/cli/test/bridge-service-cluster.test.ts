// The bridge service on a private Redis Cluster: config, /metrics queue counts and Bull Board.
import { startEmulator, type Emulator } from '@sfn-bullmq/emulator';
import { RedisCluster, uniqueName } from '@sfn-bullmq/test-support';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BridgeService } from '../src/bridge-service.js';
import { compileConfig } from '../src/config/compile-config.js';
import { ConfigError } from '../src/config/config-error.js';
import { until, useCleanups } from './harness.js';

process.env['AWS_EC2_METADATA_DISABLED'] = 'true';

let cluster: RedisCluster;
let emulator: Emulator;
beforeAll(async () => {
  cluster = await RedisCluster.start();
  emulator = await startEmulator({ pollTimeoutMs: 1_000 });
}, 60_000);
afterAll(async () => {
  await emulator.close();
  await cluster.close();
});

const nodes = () => cluster.nodes.map(({ host, port }) => `redis://${host}:${port}`);

describe('BridgeService on a Redis Cluster', () => {
  const onCleanup = useCleanups();

  it('counts the queue jobs in /metrics and shows them in Bull Board', async () => {
    const name = uniqueName('resize');
    const arn = emulator.createActivity(name);
    const queue = `{${name}}`;
    const config = compileConfig({
      redis: { cluster: { nodes: nodes() } },
      stepFunctions: { region: 'us-east-1', endpoint: emulator.endpoint },
      http: { port: 0 },
      activities: [{ arn, queue, polls: 5 }],
    });
    const service = await BridgeService.start({
      config,
      logger: pino({ level: 'silent' }),
      sfnCredentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    onCleanup(() => service.close({ force: true }));
    await service.started;
    for (let n = 0; n < 4; n += 1) emulator.scheduleTask(arn, JSON.stringify({ n }));
    const line = `sfn_bullmq_queue_jobs{queue="${queue}",state="waiting"} 4`;
    await until(
      async () => (await (await fetch(`${service.url}/metrics`)).text()).includes(line),
      15_000,
      line,
    );
    const board = (await (await fetch(`${service.url}/admin/queues/api/queues`)).json()) as {
      queues: { name: string; counts: Record<string, number> }[];
    };
    expect(board.queues.find((q) => q.name === queue)?.counts).toMatchObject({ waiting: 4 });
    expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
  });

  it('refuses an untagged queue or url together with nodes, by field', () => {
    let error: unknown;
    try {
      compileConfig({
        redis: { url: 'redis://127.0.0.1:1', cluster: { nodes: nodes() } },
        stepFunctions: { region: 'us-east-1', endpoint: emulator.endpoint },
        activities: [{ arn: 'arn:aws:states:us-east-1:123456789012:activity:orders' }],
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const fields = (error as ConfigError).issues.map((issue) => issue.field);
    expect(fields).toEqual(['redis.url', 'activities[0].queue']);
    expect((error as Error).message).toContain("queueName '{orders}'");
  });
});
