import { describe, expect, it } from 'vitest';
import { loadConfig, redisConnection } from './config.js';

describe('loadConfig', () => {
  it('fills defaults from a minimal environment', () => {
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:7000' })).toEqual({
      redisUrl: 'redis://127.0.0.1:7000',
      sfnEndpoint: undefined,
      region: 'us-east-1',
      queueResize: 'resize-image',
      queueCharge: 'charge-card',
      concurrency: 10,
      logLevel: 'info',
      workMs: 200,
    });
  });

  it('names the variable that is missing or wrong', () => {
    expect(() => loadConfig({})).toThrow(/^REDIS_URL: required/);
    expect(() => loadConfig({ REDIS_URL: 'redis://h:1', CONCURRENCY: 'many' })).toThrow(
      /^CONCURRENCY: .*'many'/,
    );
    expect(() => loadConfig({ REDIS_URL: 'redis://h:1', QUEUE_RESIZE: 'a:b' })).toThrow(/^QUEUE_RESIZE: /);
    expect(() => loadConfig({ REDIS_URL: 'redis://h:1', LOG_LEVEL: 'loud' })).toThrow(/^LOG_LEVEL: /);
    expect(() => loadConfig({ REDIS_URL: 'redis://h:1', WORK_MS: '-1' })).toThrow(/^WORK_MS: /);
  });
});

describe('REDIS_CLUSTER_NODES', () => {
  it('gives the workers a cluster connection, auth and TLS from the first node', () => {
    const config = loadConfig({
      REDIS_CLUSTER_NODES: 'rediss://u:p%40ss@10.0.0.1:7000, rediss://10.0.0.2:7001',
    });
    expect(redisConnection(config)).toEqual({
      cluster: {
        nodes: [
          { host: '10.0.0.1', port: 7000 },
          { host: '10.0.0.2', port: 7001 },
        ],
        options: { redisOptions: { username: 'u', password: 'p@ss', tls: {} } },
      },
    });
    expect(redisConnection(loadConfig({ REDIS_URL: 'redis://h:1' }))).toEqual({ url: 'redis://h:1' });
  });

  it('names the variable when a node is not a redis://host:port URL', () => {
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'redis://a:1,nohost' })).toThrow(
      /^REDIS_CLUSTER_NODES: .*'nohost'/,
    );
  });
});
