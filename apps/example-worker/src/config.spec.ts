import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

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
