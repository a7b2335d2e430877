import { describe, expect, it } from 'vitest';
import { redactRedisUrl, redisOptionsFromUrl } from './redis-connection.js';

describe('redisOptionsFromUrl', () => {
  it('reads host, port, user, password, db and TLS', () => {
    expect(redisOptionsFromUrl('redis://127.0.0.1:6380')).toEqual({
      host: '127.0.0.1',
      port: 6380,
      maxRetriesPerRequest: null,
    });
    expect(redisOptionsFromUrl('rediss://me:p%40ss@cache.example:6390/3')).toEqual({
      host: 'cache.example',
      port: 6390,
      username: 'me',
      password: 'p@ss',
      db: 3,
      tls: {},
      maxRetriesPerRequest: null,
    });
    expect(redisOptionsFromUrl('redis://redis')).toMatchObject({ host: 'redis', port: 6379 });
  });

  it('hides the password in logs', () => {
    expect(redactRedisUrl('redis://me:secret@h:1/0')).toBe('redis://me:***@h:1/0');
  });
});
