// BridgeService's lifecycle on real parts: a private redis-server, the emulator, the real bridge.
import { startEmulator } from '@sfn-bullmq/emulator';
import { RedisServer } from '@sfn-bullmq/local-redis';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { BridgeService } from '../src/bridge-service.js';
import { compileConfig } from '../src/config/compile-config.js';
import { useCleanups } from './harness.js';

process.env['AWS_EC2_METADATA_DISABLED'] = 'true';

describe('BridgeService lifecycle', () => {
  const onCleanup = useCleanups();

  it("turns 'failed' (with a 'stateChange') when the bridge cannot start, and still stops", async () => {
    // A Redis that may evict keys: the bridge refuses it before any poll opens, so start fails.
    const redis = await RedisServer.start({ extraArgs: ['--maxmemory-policy', 'allkeys-lru'] });
    onCleanup(() => redis.stop());
    const emulator = await startEmulator({ activities: ['resize'] });
    onCleanup(() => emulator.close());
    const config = compileConfig({
      redis: { url: redis.url },
      stepFunctions: { region: 'us-east-1', endpoint: emulator.endpoint },
      http: { port: 0, board: { enabled: false } },
      activities: [{ arn: emulator.activityArn('resize') }],
    });
    const service = await BridgeService.start({
      config,
      logger: pino({ level: 'silent' }),
      sfnCredentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    onCleanup(() => service.close({ force: true }));
    const seen: string[] = [];
    service.on('stateChange', (state: string) => seen.push(state));
    await expect(service.started).rejects.toMatchObject({ name: 'RedisEvictionPolicyError' });
    expect(service.state).toBe('failed');
    await service.close({ force: true });
    expect(service.state).toBe('stopped');
    expect(seen).toEqual(['failed', 'stopping', 'stopped']);
  });
});
