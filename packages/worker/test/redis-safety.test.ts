// ActivityWorker against a Redis that would lose jobs: one that evicts keys is refused at start and on
// reconnect (no job is taken from it); one that persists nothing gets a warning.
import type {} from '@sfn-bullmq/test-support/vitest-global-setup';
import { RedisServer, capturingLogger, sleep, until } from '@sfn-bullmq/test-support';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivityWorker, assertRedisKeepsJobs, isRedisEvictionPolicyError } from '../src/index.js';
import {
  connectionOf,
  createActivity,
  credentials,
  deliverTask,
  startHarness,
  type Harness,
} from './harness.js';
import { useCleanups } from './support.js';

const addCleanup = useCleanups();
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(async () => {
  await harness.close();
});

const ERROR = 50;
const WARN = 40;

async function redisWith(...extraArgs: string[]): Promise<RedisServer> {
  const redis = await RedisServer.start({ extraArgs });
  addCleanup(() => redis.close());
  return redis;
}

function activityWorker(
  redis: RedisServer,
  queueName: string,
  handler: () => unknown,
  options: { unsafeAllowEvictionPolicy?: boolean; logger?: pino.Logger } = {},
): ActivityWorker {
  const worker = new ActivityWorker(queueName, handler, {
    connection: connectionOf(redis.url),
    sfn: { endpoint: harness.emulator.endpoint, region: 'us-east-1', credentials },
    logger: options.logger ?? pino({ level: 'silent' }),
    ...(options.unsafeAllowEvictionPolicy === undefined
      ? {}
      : { unsafeAllowEvictionPolicy: options.unsafeAllowEvictionPolicy }),
  });
  addCleanup(() => worker.close({ force: true }));
  return worker;
}

function plainQueue(redis: RedisServer, name: string): Queue {
  const queue = new Queue(name, { connection: connectionOf(redis.url) });
  addCleanup(() => queue.close());
  return queue;
}

describe('ActivityWorker on a Redis that evicts keys', () => {
  it('refuses to start: waitUntilReady() rejects with RedisEvictionPolicyError and no job is taken', async () => {
    const redis = await redisWith('--maxmemory', '10mb', '--maxmemory-policy', 'allkeys-lru');
    let ran = 0;
    const worker = activityWorker(redis, 'evicting', () => (ran += 1));
    const errors: unknown[] = [];
    worker.on('error', (error) => errors.push(error));
    await plainQueue(redis, 'evicting').add('evicting', { taskToken: 't', input: {} });

    const error: unknown = await worker.waitUntilReady().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isRedisEvictionPolicyError(error)).toBe(true);
    expect(error).toMatchObject({ policy: 'allkeys-lru', readVia: 'CONFIG' });
    expect((error as Error).message).toContain('CONFIG SET maxmemory-policy noeviction');
    expect(errors).toContain(error);
    await until(() => worker.state === 'closed', 5_000, 'the worker closed');
    await sleep(300);
    expect(ran).toBe(0);
    expect(await plainQueue(redis, 'evicting').getWaitingCount()).toBe(1);
  });

  it("goes through 'failed' to 'closed' when the start is refused, one 'stateChange' per change", async () => {
    const redis = await redisWith('--maxmemory', '10mb', '--maxmemory-policy', 'allkeys-lru');
    const worker = activityWorker(redis, 'evicting-states', () => undefined);
    const states: string[] = [];
    worker.on('stateChange', (state: string) => states.push(state));
    await expect(worker.waitUntilReady()).rejects.toMatchObject({ name: 'RedisEvictionPolicyError' });
    await until(() => worker.state === 'closed', 5_000, 'the worker closed');
    expect(states).toEqual(['failed', 'closing', 'closed']);
  });

  it('reads the policy with INFO where CONFIG is renamed away, and still refuses', async () => {
    const redis = await redisWith('--maxmemory-policy', 'allkeys-random', '--rename-command', 'CONFIG', '');
    const worker = activityWorker(redis, 'evicting-info', () => 'ok');
    await expect(worker.waitUntilReady()).rejects.toMatchObject({
      name: 'RedisEvictionPolicyError',
      policy: 'allkeys-random',
      readVia: 'INFO',
    });
  });

  it('runs with unsafeAllowEvictionPolicy, logging the danger at error level', async () => {
    const redis = await redisWith('--maxmemory-policy', 'allkeys-lru');
    const { logger, lines } = capturingLogger('info');
    const worker = activityWorker(redis, 'evicting-allowed', () => 'ok', {
      unsafeAllowEvictionPolicy: true,
      logger,
    });
    await worker.waitUntilReady();
    expect(worker.state).toBe('running');
    expect(worker.redisSafety()).toMatchObject({ state: 'allowed', evictionPolicy: 'allkeys-lru' });
    expect(lines.some((line) => line.level === ERROR && /unsafeAllowEvictionPolicy/.test(line.msg))).toBe(
      true,
    );
  });

  it('re-checks on reconnect: pauses while Redis may evict, resumes and runs the task once it is fixed', async () => {
    const redis = await redisWith();
    const activity = createActivity(harness, redis.url);
    addCleanup(() => activity.close());
    let ran = 0;
    const worker = activityWorker(redis, activity.name, () => {
      ran += 1;
      return { done: true };
    });
    await worker.waitUntilReady();
    expect(worker.state).toBe('running');

    const admin = new Redis(redis.url, { maxRetriesPerRequest: null });
    addCleanup(() => Promise.resolve(admin.disconnect()));
    await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
    await admin.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    await until(() => worker.state === 'paused', { what: 'the worker paused' });
    expect(worker.redisSafety()).toMatchObject({ state: 'unsafe', evictionPolicy: 'allkeys-lru' });

    const { outcome } = await deliverTask(harness, activity, { n: 1 });
    await sleep(500);
    expect(ran).toBe(0);

    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    await admin.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    await until(() => worker.state === 'running', { what: 'the worker running again' });
    await expect(outcome).resolves.toEqual({ kind: 'succeeded', output: '{"done":true}' });
    expect(ran).toBe(1);
  });
});

describe('ActivityWorker on a Redis that persists nothing', () => {
  it('warns once at start and shows the persistence', async () => {
    const redis = await redisWith();
    const { logger, lines } = capturingLogger('info');
    const worker = activityWorker(redis, 'volatile', () => 'ok', { logger });
    await worker.waitUntilReady();
    expect(worker.redisSafety()).toMatchObject({ state: 'safe', persistence: 'none' });
    expect(lines.filter((line) => line.level === WARN && /persists nothing/.test(line.msg))).toHaveLength(1);
  });
});

describe('assertRedisKeepsJobs, for a BullMQ Worker built around activityProcessor()', () => {
  it('throws on an evicting Redis and resolves with the settings on a safe one', async () => {
    const evicting = await redisWith('--maxmemory-policy', 'volatile-lfu');
    const safe = await redisWith('--appendonly', 'yes');
    for (const [redis, expectRefusal] of [
      [evicting, true],
      [safe, false],
    ] as const) {
      const worker = new Worker('own', () => Promise.resolve('ok'), {
        connection: connectionOf(redis.url),
        autorun: false,
      });
      addCleanup(() => worker.close());
      const checked = assertRedisKeepsJobs(await worker.getBackend().client);
      if (expectRefusal) {
        await expect(checked).rejects.toMatchObject({
          name: 'RedisEvictionPolicyError',
          policy: 'volatile-lfu',
        });
      } else {
        await expect(checked).resolves.toMatchObject({ evictionPolicy: 'noeviction', persistence: 'aof' });
      }
    }
  });
});
