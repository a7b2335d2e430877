// @sfn-bullmq/local-redis: a throwaway redis-server (or Redis Cluster) on free ports, for local
// development (`sfn-bullmq dev`) and tests. Named exports only.
export {
  RedisServer,
  RedisServerNotFoundError,
  RedisServerStartError,
  findFreePort,
} from './redis-server.js';
export type { RedisServerOptions } from './redis-server.js';
export { RedisCluster, parseClusterNodes } from './redis-cluster.js';
export type { ClusterNodeInfo, RedisClusterOptions, RedisClusterState } from './redis-cluster.js';
