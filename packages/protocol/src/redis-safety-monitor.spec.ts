import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { RedisSafetyMonitor, type SafetyLogger } from './redis-safety-monitor.js';

/** A Redis whose policy the test sets, that can fail the next calls like a dropped connection, and emits 'ready'. */
class FakeRedis extends EventEmitter {
  policy = 'noeviction';
  down = false;

  call(command: string, ...args: string[]): Promise<unknown> {
    if (this.down) return Promise.reject(new Error('Connection is closed.'));
    if (command !== 'CONFIG') return Promise.resolve('');
    const name = args[1] ?? '';
    const values: Record<string, string> = { 'maxmemory-policy': this.policy, appendonly: 'yes', save: '' };
    const value = values[name];
    return Promise.resolve(value === undefined ? [] : [name, value]);
  }
}

function logger(): SafetyLogger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  return {
    lines,
    info: (_fields, message) => void lines.push({ level: 'info', message }),
    warn: (_fields, message) => void lines.push({ level: 'warn', message }),
    error: (_fields, message) => void lines.push({ level: 'error', message }),
  };
}

function monitor(redis: FakeRedis, log = logger(), unsafeAllowEvictionPolicy = false): RedisSafetyMonitor {
  return new RedisSafetyMonitor(redis, {
    unsafeAllowEvictionPolicy,
    log,
    who: 'the test',
    whilePaused: 'idle',
  });
}

const never = new Promise<void>(() => undefined);
const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 10));

describe('RedisSafetyMonitor', () => {
  it('refuses at start with RedisEvictionPolicyError', async () => {
    const redis = new FakeRedis();
    redis.policy = 'allkeys-lfu';
    const watched = monitor(redis);
    await expect(watched.start(never)).rejects.toMatchObject({ name: 'RedisEvictionPolicyError' });
    expect(watched.status()).toMatchObject({ state: 'unsafe', evictionPolicy: 'allkeys-lfu' });
    expect(watched.acceptable).toBe(false);
  });

  it('turns unsafe and safe again as reconnects find the policy, and holds writes while it checks', async () => {
    const redis = new FakeRedis();
    const watched = monitor(redis);
    const events: string[] = [];
    watched.on('unsafe', () => events.push('unsafe'));
    watched.on('safe', () => events.push('safe'));
    await watched.start(never);
    expect(watched.status()).toMatchObject({ state: 'safe', persistence: 'aof' });

    redis.policy = 'allkeys-lru';
    redis.emit('ready');
    await expect(watched.verdict()).rejects.toMatchObject({ policy: 'allkeys-lru' });
    expect(watched.acceptable).toBe(false);

    redis.policy = 'noeviction';
    redis.emit('ready');
    await expect(watched.verdict()).resolves.toBeUndefined();
    expect(events).toEqual(['unsafe', 'safe']);
  });

  it('keeps the last verdict when a re-check loses its connection', async () => {
    const redis = new FakeRedis();
    const watched = monitor(redis);
    await watched.start(never);
    redis.down = true;
    redis.emit('ready');
    await expect(watched.verdict()).resolves.toBeUndefined();
    expect(watched.status().state).toBe('safe');
  });

  it('retries the check at start on the next ready when the connection fails meanwhile', async () => {
    const redis = new FakeRedis();
    redis.down = true;
    const watched = monitor(redis);
    const started = watched.start(never);
    await tick();
    expect(watched.status().state).toBe('unchecked');
    redis.down = false;
    redis.emit('ready');
    await started;
    expect(watched.status().state).toBe('safe');
  });

  it('logs at error on every check but runs when the opt-out is set', async () => {
    const redis = new FakeRedis();
    redis.policy = 'volatile-ttl';
    const log = logger();
    const watched = monitor(redis, log, true);
    await watched.start(never);
    redis.emit('ready');
    await watched.verdict();
    expect(watched.status().state).toBe('allowed');
    expect(log.lines.filter((line) => line.level === 'error')).toHaveLength(2);
  });

  it('stops watching on close()', async () => {
    const redis = new FakeRedis();
    const watched = monitor(redis);
    await watched.start(never);
    watched.close();
    watched.close();
    expect(redis.listenerCount('ready')).toBe(0);
  });
});
