// Vitest global setup: one private redis-server per test run, handed to the
// tests as `inject('redisUrl')`. REDIS_URL, when set, is used instead.
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { RedisServer } from '@sfn-bullmq/local-redis';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Redis the tests of this run may use. */
    redisUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The SDK version is pinned on purpose (docs/aws-sdk.md#pinned-sdk-version); its Node 22 notice would only bury test output.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const explicit = process.env['REDIS_URL'];
  if (explicit !== undefined && explicit !== '') {
    project.provide('redisUrl', explicit);
    return () => Promise.resolve();
  }
  const server = await RedisServer.start();
  project.provide('redisUrl', server.url);
  return () => server.close();
}
