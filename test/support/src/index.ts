export {
  RedisServer,
  RedisServerNotFoundError,
  RedisServerStartError,
  findFreePort,
} from './redis-server.js';
export type { RedisServerOptions } from './redis-server.js';
export { uniqueName } from './unique-name.js';
