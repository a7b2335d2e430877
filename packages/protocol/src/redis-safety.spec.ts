import { describe, expect, it } from 'vitest';
import {
  RedisEvictionPolicyError,
  assertRedisKeepsJobs,
  evictionPolicyProblem,
  isRedisEvictionPolicyError,
  persistenceWarning,
  readRedisSettings,
  type RedisCommandCaller,
} from './redis-safety.js';

function replyError(message: string): Error {
  const error = new Error(message);
  error.name = 'ReplyError';
  return error;
}

/** A Redis that answers CONFIG GET from `config` (or refuses CONFIG when it is undefined) and INFO from `info`. */
function fakeRedis(
  config: Record<string, string> | undefined,
  info = '',
): RedisCommandCaller & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    call(command: string, ...args: string[]): Promise<unknown> {
      calls.push([command, ...args].join(' '));
      if (command === 'CONFIG') {
        if (config === undefined) return Promise.reject(replyError("ERR unknown command 'CONFIG'"));
        const name = args[1] ?? '';
        const value = config[name];
        return Promise.resolve(value === undefined ? [] : [name, value]);
      }
      if (command === 'INFO') return Promise.resolve(info);
      return Promise.reject(replyError(`ERR unknown command '${command}'`));
    },
  };
}

const INFO_LRU = [
  '# Memory',
  'maxmemory:10485760',
  'maxmemory_policy:allkeys-lru',
  '',
  '# Persistence',
  'aof_enabled:0',
  'rdb_changes_since_last_save:0',
].join('\r\n');

describe('readRedisSettings', () => {
  it('reads the policy, limit and persistence with CONFIG GET', async () => {
    const redis = fakeRedis({
      'maxmemory-policy': 'noeviction',
      maxmemory: '0',
      appendonly: 'yes',
      save: '3600 1 300 100',
      appendfsync: 'always',
    });
    expect(await readRedisSettings(redis)).toEqual({
      evictionPolicy: 'noeviction',
      maxmemoryBytes: 0,
      persistence: 'aof+rdb',
      appendfsync: 'always',
      readVia: 'CONFIG',
    });
    expect(redis.calls).not.toContain('INFO');
  });

  it('says none when neither AOF nor a save schedule is set', async () => {
    const redis = fakeRedis({ 'maxmemory-policy': 'noeviction', appendonly: 'no', save: '' });
    expect((await readRedisSettings(redis)).persistence).toBe('none');
  });

  it('falls back to INFO where CONFIG is refused (a managed service that renames it)', async () => {
    const settings = await readRedisSettings(fakeRedis(undefined, INFO_LRU));
    expect(settings).toEqual({
      evictionPolicy: 'allkeys-lru',
      maxmemoryBytes: 10485760,
      persistence: 'unknown',
      readVia: 'INFO',
    });
  });

  it("reads through INFO alone from a client that has only info() (BullMQ's IRedisClient type)", async () => {
    const settings = await readRedisSettings({ info: () => Promise.resolve(INFO_LRU) });
    expect(settings).toMatchObject({ evictionPolicy: 'allkeys-lru', readVia: 'INFO' });
  });

  it('reports an unknown policy when neither CONFIG nor INFO shows one', async () => {
    const settings = await readRedisSettings(fakeRedis(undefined, '# Server\r\nredis_version:7.0.0'));
    expect(settings.evictionPolicy).toBe('unknown');
    expect(evictionPolicyProblem(settings)?.policy).toBe('unknown');
  });

  it('rejects when the connection fails, so a lost connection is never taken for a setting', async () => {
    const redis: RedisCommandCaller = {
      call: () => Promise.reject(new Error('Connection is closed.')),
    };
    await expect(readRedisSettings(redis)).rejects.toThrow('Connection is closed.');
  });
});

describe('assertRedisKeepsJobs', () => {
  it('resolves with the settings on noeviction', async () => {
    const settings = await assertRedisKeepsJobs(fakeRedis({ 'maxmemory-policy': 'noeviction' }));
    expect(settings.evictionPolicy).toBe('noeviction');
  });

  it('throws RedisEvictionPolicyError naming the policy, how it was read and what to set', async () => {
    const error: unknown = await assertRedisKeepsJobs(fakeRedis(undefined, INFO_LRU)).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RedisEvictionPolicyError);
    expect(isRedisEvictionPolicyError(error)).toBe(true);
    const refusal = error as RedisEvictionPolicyError;
    expect(refusal.name).toBe('RedisEvictionPolicyError');
    expect(refusal.policy).toBe('allkeys-lru');
    expect(refusal.readVia).toBe('INFO');
    expect(refusal.message).toContain('CONFIG SET maxmemory-policy noeviction');
    expect(refusal.message).toContain('redis.conf');
    expect(refusal.message).toContain('parameter group');
  });

  it('returns the settings instead with unsafeAllowEvictionPolicy', async () => {
    const settings = await assertRedisKeepsJobs(fakeRedis({ 'maxmemory-policy': 'volatile-lru' }), {
      unsafeAllowEvictionPolicy: true,
    });
    expect(settings.evictionPolicy).toBe('volatile-lru');
  });

  it('tells its error apart by name only', () => {
    expect(isRedisEvictionPolicyError({ name: 'RedisEvictionPolicyError' })).toBe(true);
    expect(isRedisEvictionPolicyError(new Error('RedisEvictionPolicyError'))).toBe(false);
  });
});

describe('persistenceWarning', () => {
  const base = { evictionPolicy: 'noeviction', maxmemoryBytes: 0, readVia: 'CONFIG' as const };

  it('warns when Redis persists nothing or only snapshots, and says what everysec risks', () => {
    expect(persistenceWarning({ ...base, persistence: 'none' })).toMatch(/persists nothing.*everysec/);
    expect(persistenceWarning({ ...base, persistence: 'rdb' })).toMatch(/snapshot/);
    expect(persistenceWarning({ ...base, persistence: 'unknown' })).toMatch(/cannot be read/);
  });

  it('is quiet with AOF', () => {
    expect(persistenceWarning({ ...base, persistence: 'aof' })).toBeUndefined();
    expect(persistenceWarning({ ...base, persistence: 'aof+rdb' })).toBeUndefined();
  });
});

describe('readRedisSettings on a Redis Cluster', () => {
  const keeps = { 'maxmemory-policy': 'noeviction', maxmemory: '0', appendonly: 'yes', save: '' };
  function fakeCluster(...masters: Record<string, string>[]) {
    const nodes = masters.map((config, i) => ({
      ...fakeRedis(config),
      options: { host: '10.0.0.1', port: 7000 + i },
    }));
    return {
      isCluster: true as const,
      nodes: () => nodes,
      // Sent to the cluster, a command would reach one node only: the checks must not use it.
      call: () => Promise.reject(new Error('read each master, not the cluster')),
    };
  }

  it('refuses the cluster when any one master may evict, naming that master', async () => {
    const cluster = fakeCluster(keeps, keeps, { ...keeps, 'maxmemory-policy': 'allkeys-lru' });
    const settings = await readRedisSettings(cluster);
    expect(settings).toMatchObject({
      evictionPolicy: 'allkeys-lru',
      cluster: { masters: 3, node: '10.0.0.1:7002' },
    });
    expect(evictionPolicyProblem(settings)?.message).toContain('cluster master 10.0.0.1:7002');
  });

  it('reports the master that persists least when none evicts', async () => {
    const settings = await readRedisSettings(fakeCluster(keeps, { ...keeps, appendonly: 'no' }, keeps));
    expect(settings).toMatchObject({ evictionPolicy: 'noeviction', persistence: 'none' });
    expect(settings.cluster).toEqual({ masters: 3, node: '10.0.0.1:7001' });
  });
});
