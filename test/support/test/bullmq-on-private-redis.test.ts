import { Queue, QueueEvents, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisServer, uniqueName } from '../src/index.js';

describe('BullMQ on a private redis-server', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(async () => {
    await server.close();
  });

  it('adds a job and a worker processes it', async () => {
    const connection = { url: server.url, maxRetriesPerRequest: null };
    const name = uniqueName('queue');
    const queue = new Queue(name, { connection });
    const events = new QueueEvents(name, { connection });
    const worker = new Worker(name, (job) => Promise.resolve((job.data as { n: number }).n * 2), {
      connection,
    });
    try {
      await events.waitUntilReady();
      const job = await queue.add('double', { n: 21 });
      expect(await job.waitUntilFinished(events, 10_000)).toBe(42);
    } finally {
      await worker.close();
      await events.close();
      await queue.close();
    }
  });
});
