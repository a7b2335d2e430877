// The example worker's configuration, read from the environment once at start;
// a bad value stops the service with a message that names the variable.
import type { Level } from 'pino';

export interface ExampleWorkerConfig {
  redisUrl: string;
  /** REDIS_CLUSTER_NODES: a Redis Cluster's node URLs instead of REDIS_URL (queue names then need a hash tag). */
  redisClusterNodes?: string[];
  sfnEndpoint: string | undefined;
  region: string;
  queueResize: string;
  queueCharge: string;
  concurrency: number;
  logLevel: Level | 'silent';
  workMs: number;
}

/** A missing or malformed environment variable; `variable` names it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

export function loadConfig(env: NodeJS.ProcessEnv): ExampleWorkerConfig {
  const clusterNodes = nonEmpty(env['REDIS_CLUSTER_NODES'])
    ?.split(',')
    .map((node) => node.trim());
  const bad = clusterNodes?.find((node) => !/^rediss?:\/\/[^/]+:\d+/.test(node));
  if (bad !== undefined)
    throw new ConfigError(
      'REDIS_CLUSTER_NODES',
      `must be comma-separated redis://host:port URLs, got '${bad}'`,
    );
  const redisUrl = env['REDIS_URL'] ?? (clusterNodes === undefined ? undefined : clusterNodes[0]);
  if (redisUrl === undefined || redisUrl === '')
    throw new ConfigError('REDIS_URL', 'required, e.g. redis://127.0.0.1:6379');
  if (!/^rediss?:\/\//.test(redisUrl))
    throw new ConfigError('REDIS_URL', `must be a redis:// URL, got '${redisUrl}'`);
  const logLevel = env['LOG_LEVEL'] ?? 'info';
  if (!LEVELS.has(logLevel))
    throw new ConfigError('LOG_LEVEL', `must be one of ${[...LEVELS].join(', ')}, got '${logLevel}'`);
  const config: ExampleWorkerConfig = {
    redisUrl,
    sfnEndpoint: nonEmpty(env['SFN_ENDPOINT']),
    region: nonEmpty(env['AWS_REGION']) ?? 'us-east-1',
    queueResize: queueName(env, 'QUEUE_RESIZE', 'resize-image'),
    queueCharge: queueName(env, 'QUEUE_CHARGE', 'charge-card'),
    concurrency: integer(env, 'CONCURRENCY', 10, 1, 10_000),
    logLevel: logLevel as Level | 'silent',
    workMs: integer(env, 'WORK_MS', 200, 0, 3_600_000),
  };
  if (clusterNodes !== undefined) config.redisClusterNodes = clusterNodes;
  return config;
}

/**
 * The workers' connection: one node from REDIS_URL (ioredis reads the whole URL: credentials, /db,
 * rediss:// TLS), or a cluster from REDIS_CLUSTER_NODES, auth and TLS from the first node's URL.
 */
export function redisConnection(config: ExampleWorkerConfig):
  | { url: string }
  | {
      cluster: {
        nodes: { host: string; port: number }[];
        options: { redisOptions: Record<string, unknown> };
      };
    } {
  if (config.redisClusterNodes === undefined) return { url: config.redisUrl };
  const urls = config.redisClusterNodes.map((node) => new URL(node));
  const first = urls[0]!;
  const redisOptions: Record<string, unknown> = {};
  if (first.username !== '') redisOptions['username'] = decodeURIComponent(first.username);
  if (first.password !== '') redisOptions['password'] = decodeURIComponent(first.password);
  if (first.protocol === 'rediss:') redisOptions['tls'] = {};
  const nodes = urls.map((url) => ({ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) }));
  return { cluster: { nodes, options: { redisOptions } } };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function queueName(env: NodeJS.ProcessEnv, variable: string, fallback: string): string {
  const value = nonEmpty(env[variable]) ?? fallback;
  if (value.includes(':'))
    throw new ConfigError(variable, `a queue name must not contain ':', got '${value}'`);
  return value;
}

function integer(
  env: NodeJS.ProcessEnv,
  variable: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = nonEmpty(env[variable]);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(variable, `must be a whole number in ${min}–${max}, got '${raw}'`);
  }
  return value;
}
