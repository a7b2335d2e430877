// @sfn-bullmq/local-redis: a throwaway redis-server on a free port, for local
// development (`sfn-bullmq dev`) and tests. Named exports only.
export {
  RedisServer,
  RedisServerNotFoundError,
  RedisServerStartError,
  findFreePort,
} from './redis-server.js';
export type { RedisServerOptions } from './redis-server.js';
