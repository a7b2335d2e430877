import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisServer, RedisServerNotFoundError } from '../src/index.js';

describe('RedisServer', () => {
  const servers: RedisServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('starts a private server that keeps data across a restart when AOF is on', async () => {
    const server = await RedisServer.start({ appendOnly: true });
    servers.push(server);
    const client = new Redis(server.url, { maxRetriesPerRequest: null });
    try {
      expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
      await client.set('kept', 'yes');
      await server.restart();
      expect(await client.get('kept')).toBe('yes');
    } finally {
      client.disconnect();
    }
  });

  it('passes extra arguments after its defaults, so they override them', async () => {
    const server = await RedisServer.start({
      extraArgs: ['--maxmemory', '10mb', '--maxmemory-policy', 'allkeys-lru'],
    });
    servers.push(server);
    const client = new Redis(server.url, { maxRetriesPerRequest: null });
    try {
      expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'allkeys-lru']);
      expect(await client.config('GET', 'maxmemory')).toEqual(['maxmemory', String(10 * 1024 * 1024)]);
    } finally {
      client.disconnect();
    }
  });

  it('names the fix when the binary is missing', async () => {
    await expect(RedisServer.start({ binary: 'no-such-redis-server-binary' })).rejects.toThrow(
      RedisServerNotFoundError,
    );
    await expect(RedisServer.start({ binary: 'no-such-redis-server-binary' })).rejects.toThrow(
      /apt-get install -y redis-server/,
    );
  });

  it('close() is idempotent and removes the folder', async () => {
    const server = await RedisServer.start();
    await Promise.all([server.close(), server.close()]);
    expect(server.running).toBe(false);
    expect(existsSync(server.dir)).toBe(false);
  });
});
