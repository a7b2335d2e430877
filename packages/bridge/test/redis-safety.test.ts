// The bridge against a Redis that would lose jobs: one that evicts keys (refused at start and on
// reconnect), one that is full (tokens held, then stored), one that persists nothing (a warning).
import { setTimeout as sleep } from 'node:timers/promises';
import type {} from '@sfn-bullmq/test-support/vitest-global-setup';
import { isRedisEvictionPolicyError, type RedisEvictionPolicyError } from '@sfn-bullmq/protocol';
import { RedisServer, capturingLogger } from '@sfn-bullmq/test-support';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { Harness, until } from './harness.js';

let harness: Harness;

afterEach(async () => {
  await harness.closeAll();
});

const ERROR = 50;
const WARN = 40;

function nameOf(arn: string): string {
  return arn.slice(arn.lastIndexOf(':') + 1);
}

async function redisWith(...extraArgs: string[]): Promise<RedisServer> {
  const redis = await RedisServer.start({ extraArgs });
  harness.onClose(() => redis.close());
  return redis;
}

function admin(url: string): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: null });
  harness.onClose(() => Promise.resolve(client.disconnect()));
  return client;
}

describe('Bridge on a Redis that evicts keys', () => {
  it('start() rejects with RedisEvictionPolicyError before any poll opens, and no task is taken', async () => {
    harness = new Harness();
    const redis = await redisWith('--maxmemory', '10mb', '--maxmemory-policy', 'allkeys-lru');
    await harness.startEmulator();
    const arn = harness.activity('evict');
    const bridge = harness.bridge(redis.url, [{ activityArn: arn, polls: 10 }]);
    const outcome = harness.emulator.scheduleTask(arn, '{"n":1}').outcome;
    outcome.catch(() => undefined);

    const error: unknown = await bridge.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isRedisEvictionPolicyError(error)).toBe(true);
    expect(error).toMatchObject({ policy: 'allkeys-lru', readVia: 'CONFIG' });
    expect((error as RedisEvictionPolicyError).message).toContain('CONFIG SET maxmemory-policy noeviction');
    expect(bridge.isReady()).toBe(false);
    expect(bridge.status().redisSafety).toMatchObject({ state: 'unsafe', evictionPolicy: 'allkeys-lru' });
    await sleep(300);
    expect(harness.stats(arn).openPolls).toBe(0);
    expect(harness.stats(arn).started).toBe(0);
  });

  it("turns 'failed' when start() is refused, once, and 'closed' on close()", async () => {
    harness = new Harness();
    const redis = await redisWith('--maxmemory-policy', 'allkeys-lru');
    await harness.startEmulator();
    const arn = harness.activity('evict-failed');
    const bridge = harness.bridge(redis.url, [{ activityArn: arn, polls: 2 }]);
    const states: string[] = [];
    bridge.on('stateChange', (state: string) => states.push(state));
    await expect(bridge.start()).rejects.toMatchObject({ name: 'RedisEvictionPolicyError' });
    expect(bridge.state).toBe('failed');
    expect(bridge.notReadyReason()).toBe('bridge failed');
    expect(bridge.status().activities[0]).toMatchObject({ state: 'idle', openPolls: 0 });
    await bridge.close();
    expect(states).toEqual(['starting', 'failed', 'draining', 'closed']);
  });

  it('reads the policy with INFO where CONFIG is renamed away, and still refuses', async () => {
    harness = new Harness();
    const redis = await redisWith(
      '--maxmemory',
      '10mb',
      '--maxmemory-policy',
      'volatile-lru',
      '--rename-command',
      'CONFIG',
      '',
    );
    await harness.startEmulator();
    const arn = harness.activity('evict-info');
    const bridge = harness.bridge(redis.url, [{ activityArn: arn, polls: 5 }]);
    await expect(bridge.start()).rejects.toMatchObject({
      name: 'RedisEvictionPolicyError',
      policy: 'volatile-lru',
      readVia: 'INFO',
    });
    expect(harness.stats(arn).openPolls).toBe(0);
  });

  it('runs with unsafeAllowEvictionPolicy, logging the danger at error level', async () => {
    harness = new Harness();
    const redis = await redisWith('--maxmemory-policy', 'allkeys-lru');
    await harness.startEmulator();
    const arn = harness.activity('evict-allowed');
    const { logger, lines } = capturingLogger('info');
    const bridge = harness.bridge(redis.url, [{ activityArn: arn, polls: 5 }], {
      logger,
      unsafeAllowEvictionPolicy: true,
    });
    await bridge.start();
    await until(() => harness.stats(arn).openPolls === 5, 10_000, 'polls open');
    expect(bridge.isReady()).toBe(true);
    expect(bridge.status().redisSafety).toMatchObject({ state: 'allowed', evictionPolicy: 'allkeys-lru' });
    const refusal = lines.find((line) => line.level === ERROR && /unsafeAllowEvictionPolicy/.test(line.msg));
    expect(refusal).toBeDefined();
  });

  it('re-checks on reconnect: a policy turned to allkeys-lru pauses polling and readiness until it is fixed', async () => {
    harness = new Harness();
    const redis = await redisWith();
    await harness.startEmulator();
    const arn = harness.activity('evict-later');
    const { logger, lines } = capturingLogger('info');
    const bridge = harness.bridge(redis.url, [{ activityArn: arn, polls: 5 }], { logger });
    await bridge.start();
    await until(() => harness.stats(arn).openPolls === 5, 10_000, 'polls open');
    expect(bridge.isReady()).toBe(true);

    const client = admin(redis.url);
    await client.config('SET', 'maxmemory-policy', 'allkeys-lru');
    await client.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    await until(() => bridge.status().redisSafety.state === 'unsafe', 10_000, 'refused after reconnect');
    expect(bridge.isReady()).toBe(false);
    expect(bridge.status().redisSafety.problem).toContain('allkeys-lru');
    expect(bridge.status().activities[0]?.state).toBe('paused');
    expect(lines.some((line) => line.level === ERROR && /allkeys-lru/.test(String(line['error'])))).toBe(
      true,
    );
    // The polls open before the reconnect return (the emulator holds them 1 s); no new one opens.
    await until(() => harness.stats(arn).openPolls === 0, 5_000, 'polls paused');
    const outcome = harness.emulator.scheduleTask(arn, '{"n":1}').outcome;
    await sleep(500);
    expect(harness.stats(arn).started).toBe(0);

    await client.config('SET', 'maxmemory-policy', 'noeviction');
    await client.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    await until(() => bridge.isReady(), 10_000, 'ready again once fixed');
    const queue = harness.queue(redis.url, nameOf(arn));
    await until(async () => (await harness.jobCount(queue)) === 1, 10_000, 'the task stored');
    expect(harness.stats(arn).lostTokens.total).toBe(0);
    void outcome.catch(() => undefined);
  });

  it('holds, and does not store, a token that a poll opened before the reconnect brings while Redis may evict', async () => {
    harness = new Harness();
    const redis = await redisWith();
    // Polls held long enough to still be open when the re-check has refused Redis.
    await harness.startEmulator({ pollTimeoutMs: 10_000 });
    const arn = harness.activity('evict-in-flight');
    const bridge = harness.bridge(redis.url, [{ activityArn: arn, polls: 3, enqueueDeadlineMs: 20_000 }]);
    await bridge.start();
    await until(() => harness.stats(arn).openPolls === 3, 10_000, 'polls open');

    const client = admin(redis.url);
    await client.config('SET', 'maxmemory-policy', 'allkeys-lru');
    await client.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    await until(() => bridge.status().redisSafety.state === 'unsafe', 10_000, 'refused after reconnect');
    harness.emulator.scheduleTask(arn, '{"n":1}').outcome.catch(() => undefined);
    await until(() => harness.stats(arn).started === 1, 5_000, 'the token taken by an open poll');
    await until(() => bridge.status().activities[0]?.heldTokens === 1, 5_000, 'the token held');
    const queue = harness.queue(redis.url, nameOf(arn));
    await sleep(500);
    expect(await harness.jobCount(queue)).toBe(0);

    await client.config('SET', 'maxmemory-policy', 'noeviction');
    await client.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    await until(async () => (await harness.jobCount(queue)) === 1, 10_000, 'the held token stored');
    expect(harness.stats(arn).failed).toBe(0);
    expect(harness.stats(arn).lostTokens.total).toBe(0);
  });
});

/** Writes 256 KB values until Redis answers OOM; returns their keys, for the test to free the memory. */
async function fillUntilOom(client: Redis): Promise<string[]> {
  const keys: string[] = [];
  const value = 'x'.repeat(256 * 1024);
  for (;;) {
    const key = `filler:${keys.length}`;
    try {
      await client.set(key, value);
    } catch (error) {
      if (/^OOM/.test((error as Error).message)) return keys;
      throw error;
    }
    keys.push(key);
  }
}

describe('Bridge on a full Redis (noeviction, maxmemory reached)', () => {
  it('holds tokens and is not ready while adds fail with OOM, then stores them all once memory is freed', async () => {
    harness = new Harness();
    const redis = await redisWith('--maxmemory', '4mb');
    await harness.startEmulator();
    const arn = harness.activity('oom');
    const bridge = harness.bridge(redis.url, [{ activityArn: arn, polls: 5, enqueueDeadlineMs: 25_000 }]);
    await bridge.start();
    await until(() => harness.stats(arn).openPolls === 5, 10_000, 'polls open');

    const client = admin(redis.url);
    const fillers = await fillUntilOom(client);
    const N = 3;
    for (let n = 0; n < N; n += 1) harness.emulator.scheduleTask(arn, `{"n":${n}}`);
    await until(() => bridge.status().activities[0]?.state === 'holding', 10_000, 'pool holding');
    expect(bridge.isReady()).toBe(false);
    expect(bridge.status().activities[0]?.lastError).toMatch(/OOM/);
    expect(bridge.status().activities[0]?.heldTokens).toBeGreaterThan(0);

    await client.del(...fillers);
    const queue = harness.queue(redis.url, nameOf(arn));
    await until(async () => (await harness.jobCount(queue)) === N, 20_000, `${N} jobs`);
    const stats = harness.stats(arn);
    expect(stats.started).toBe(N);
    expect(stats.failed).toBe(0);
    expect(stats.lostTokens.total).toBe(0);
    await until(() => bridge.isReady(), 10_000, 'ready again');
  });
});

describe('Bridge on a Redis that persists nothing', () => {
  it('warns once at start and shows the persistence in its status', async () => {
    harness = new Harness();
    const redis = await redisWith();
    await harness.startEmulator();
    const arn = harness.activity('volatile');
    const { logger, lines } = capturingLogger('info');
    const bridge = harness.bridge(redis.url, [{ activityArn: arn, polls: 2 }], { logger });
    await bridge.start();
    expect(bridge.status().redisSafety).toMatchObject({ state: 'safe', persistence: 'none' });
    const warnings = lines.filter((line) => line.level === WARN && /persists nothing/.test(line.msg));
    expect(warnings).toHaveLength(1);
  });

  it('says aof and stays quiet when the append-only file is on', async () => {
    harness = new Harness();
    const redis = await redisWith('--appendonly', 'yes', '--appendfsync', 'always');
    await harness.startEmulator();
    const arn = harness.activity('durable');
    const { logger, lines } = capturingLogger('info');
    const bridge = harness.bridge(redis.url, [{ activityArn: arn, polls: 2 }], { logger });
    await bridge.start();
    expect(bridge.status().redisSafety).toMatchObject({ persistence: 'aof', appendfsync: 'always' });
    expect(lines.some((line) => /persists/.test(line.msg))).toBe(false);
  });
});
