export {
  RedisServer,
  RedisServerNotFoundError,
  RedisServerStartError,
  findFreePort,
} from '@sfn-bullmq/local-redis';
export type { RedisServerOptions } from '@sfn-bullmq/local-redis';
// A private Redis Cluster (3 masters + 3 replicas): start one per test file, in a beforeAll.
export { RedisCluster } from '@sfn-bullmq/local-redis';
export type { ClusterNodeInfo, RedisClusterOptions } from '@sfn-bullmq/local-redis';
export { uniqueName } from './unique-name.js';
export { WaitTimeoutError, sleep, until } from './wait.js';
export type { UntilOptions } from './wait.js';
export { LOG_LEVEL, capturingLogger } from './capturing-logger.js';
export type { LogLine } from './capturing-logger.js';
