export {
  RedisServer,
  RedisServerNotFoundError,
  RedisServerStartError,
  findFreePort,
} from '@sfn-bullmq/local-redis';
export type { RedisServerOptions } from '@sfn-bullmq/local-redis';
export { uniqueName } from './unique-name.js';
