// The app's programmatic surface, for running the service inside another program: config loading
// and the service itself. The CLI (`sfn-bullmq`) is the main way in; the e2e suites run it as a process.
export { BridgeService } from './bridge-service.js';
export type { BridgeServiceOptions, BridgeServiceState } from './bridge-service.js';
export { ConfigError } from './config/config-error.js';
export type { ConfigIssue } from './config/config-error.js';
export { ENV_OVERRIDES, compileConfig } from './config/compile-config.js';
export type { ConfigEnv } from './config/compile-config.js';
export { loadConfig, parseConfigText } from './config/load-config.js';
export { redisOptionsFromUrl } from './config/redis-connection.js';
export type {
  ActivityConfig,
  ActivityJobOptions,
  CompiledActivityConfig,
  FileConfig,
  LogLevel,
  ServiceConfig,
} from './config/service-config.js';
export { HttpServer } from './http/http-server.js';
// The /metrics registry (queue gauges and default metrics), so a dashboard check can read its names.
export { createServiceRegistry } from './http/queue-metrics.js';
export type { HttpServerOptions, ReadinessProbe } from './http/http-server.js';
export { BOARD_PATH, maskJobData, maskToken } from './http/board.js';
