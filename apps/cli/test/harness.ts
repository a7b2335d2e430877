// What the app's tests share: teardown in reverse order after each test, waiting for a
// condition, queues on the private Redis, a job as the bridge adds it, the service's HTTP server.
// Brings the type of inject('redisUrl').
import type {} from '@sfn-bullmq/test-support/vitest-global-setup';
import { randomBytes } from 'node:crypto';
import { uniqueName } from '@sfn-bullmq/test-support';
import { jobIdForToken, type ActivityJobData } from '@sfn-bullmq/protocol';
import { Queue, type QueueOptions } from 'bullmq';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, inject } from 'vitest';
import { redisOptionsFromUrl } from '../src/config/redis-connection.js';
import { HttpServer, type HttpServerOptions } from '../src/http/http-server.js';

export type OnCleanup = (cleanup: () => Promise<unknown>) => void;

/** Registers a teardown after each test (the last one added runs first); returns how to add one. */
export function useCleanups(): OnCleanup {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return (cleanup) => cleanups.push(cleanup);
}

export { until } from '@sfn-bullmq/test-support';

/** A queue on the private Redis, emptied and closed after the test. */
export function testQueue(
  onCleanup: OnCleanup,
  name = uniqueName('q'),
  options: Omit<QueueOptions, 'connection'> = {},
): Queue {
  const queue = new Queue(name, { ...options, connection: redisOptionsFromUrl(inject('redisUrl')) });
  onCleanup(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
  });
  return queue;
}

/** Adds a job with `input` as the bridge does: its data holds a fresh task token, its id is derived from it. */
export async function addBridgeJob(
  queue: Queue,
  input: unknown,
): Promise<{ token: string; data: ActivityJobData; jobId: string }> {
  const token = `AAAA${randomBytes(600).toString('base64url')}`;
  const data: ActivityJobData = {
    taskToken: token,
    input,
    activityArn: 'arn:aws:states:us-east-1:123456789012:activity:resize-image',
    workerName: 'bridge-test',
    receivedAt: Date.now(),
  };
  const jobId = jobIdForToken(token);
  await queue.add('resize-image', data, { jobId });
  return { token, data, jobId };
}

/** The service's HTTP server on a free port, silent, ready unless told otherwise; closed after the test. */
export async function serveHttp(
  onCleanup: OnCleanup,
  options: Partial<HttpServerOptions> = {},
): Promise<{ server: HttpServer; url: string }> {
  const server = new HttpServer({
    port: 0,
    logger: pino({ level: 'silent' }),
    registry: new Registry(),
    readiness: { isReady: () => true, status: () => ({}) },
    ...options,
  });
  onCleanup(() => server.close());
  const url = await server.start();
  return { server, url };
}
