import { describe, expect, it } from 'vitest';
import { InvalidClientOptionError } from './invalid-client-option-error.js';
import { createPollingSfnClient, createSendSfnClient } from './sfn-clients.js';

describe('createPollingSfnClient', () => {
  it('refuses a poll timeout under 65 s, which would abandon polls', () => {
    expect(() => createPollingSfnClient({ maxConcurrentPolls: 100, pollRequestTimeoutMs: 30_000 })).toThrow(
      InvalidClientOptionError,
    );
    expect(() => createPollingSfnClient({ maxConcurrentPolls: 100, pollRequestTimeoutMs: 30_000 })).toThrow(
      /pollRequestTimeoutMs/,
    );
  });

  it('never retries a poll', async () => {
    const client = createPollingSfnClient({ maxConcurrentPolls: 100, region: 'us-east-1' });
    try {
      expect(await client.config.maxAttempts()).toBe(1);
    } finally {
      client.destroy();
    }
  });
});

describe('both clients', () => {
  it("resolve each command's middleware once, not per call", () => {
    const clients = [
      createPollingSfnClient({ maxConcurrentPolls: 100, region: 'us-east-1' }),
      createSendSfnClient({ region: 'us-east-1' }),
    ];
    for (const client of clients) {
      expect(client.config.cacheMiddleware).toBe(true);
      client.destroy();
    }
  });
});
