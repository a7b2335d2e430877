// The example worker's configuration, read from the environment once at start. A variable that sets an
// `ActivityWorker` option is checked by the worker library's own rule (`compileActivityWorkerOptions`);
// the app checks only what is its own (REDIS_URL's form, LOG_LEVEL, WORK_MS). Every mistake is reported
// at once, each naming its variable and the option it sets.
import {
  compileActivityWorkerOptions,
  isInvalidOptionError,
  type ActivityWorkerOptions,
} from '@sfn-bullmq/worker';
import { pino, type Level } from 'pino';

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

/** One wrong environment variable: `VARIABLE: what is wrong`. */
export interface ConfigIssue {
  variable: string;
  message: string;
}

/** Missing or malformed environment variables, every one found; `variable` names the first. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly variable: string;

  constructor(readonly issues: readonly [ConfigIssue, ...ConfigIssue[]]) {
    super(issues.map((issue) => `${issue.variable}: ${issue.message}`).join('\n'));
    this.variable = issues[0].variable;
  }
}

/** The `ActivityWorker` options a config sets; the app adds its logger (and dummy credentials for an emulator). */
export function workerOptionsOf(config: ExampleWorkerConfig): ActivityWorkerOptions {
  return {
    connection: redisConnection(config),
    sfn: {
      region: config.region,
      ...(config.sfnEndpoint === undefined ? {} : { endpoint: config.sfnEndpoint }),
    },
    concurrency: config.concurrency,
  };
}

/** What an unset variable means. */
const DEFAULTS = { region: 'us-east-1', concurrency: 10, workMs: 200 } as const;

/** pino's own level names, and 'silent'. */
const LEVELS: readonly string[] = [...Object.keys(pino.levels.values), 'silent'];

/**
 * The workers' connection: one node from REDIS_URL (ioredis reads the whole URL: credentials, /db,
 * rediss:// TLS), or a cluster from REDIS_CLUSTER_NODES, auth and TLS from the first node's URL.
 */
function redisConnection(config: ExampleWorkerConfig): ActivityWorkerOptions['connection'] {
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

export function loadConfig(env: NodeJS.ProcessEnv): ExampleWorkerConfig {
  const issues: ConfigIssue[] = [];
  const clusterNodes = nonEmpty(env['REDIS_CLUSTER_NODES'])
    ?.split(',')
    .map((node) => node.trim());
  const bad = clusterNodes?.find((node) => !/^rediss?:\/\/[^/]+:\d+/.test(node));
  if (bad !== undefined)
    issues.push({
      variable: 'REDIS_CLUSTER_NODES',
      message: `must be comma-separated redis://host:port URLs, got '${bad}'`,
    });
  const redisUrl = nonEmpty(env['REDIS_URL']) ?? clusterNodes?.[0] ?? '';
  if (redisUrl === '')
    issues.push({ variable: 'REDIS_URL', message: 'required, e.g. redis://127.0.0.1:6379' });
  else if (!/^rediss?:\/\//.test(redisUrl))
    issues.push({ variable: 'REDIS_URL', message: `must be a redis:// URL, got '${redisUrl}'` });
  const logLevel = env['LOG_LEVEL'] ?? 'info';
  if (!LEVELS.includes(logLevel))
    issues.push({ variable: 'LOG_LEVEL', message: `must be one of ${LEVELS.join(', ')}, got '${logLevel}'` });
  const workMs = numberOf(env['WORK_MS']) ?? DEFAULTS.workMs;
  if (!Number.isInteger(workMs) || workMs < 0 || workMs > 3_600_000)
    issues.push({
      variable: 'WORK_MS',
      message: `must be a whole number in 0–3600000, got '${env['WORK_MS']}'`,
    });

  const config: ExampleWorkerConfig = {
    redisUrl,
    sfnEndpoint: nonEmpty(env['SFN_ENDPOINT']),
    region: nonEmpty(env['AWS_REGION']) ?? DEFAULTS.region,
    queueResize: nonEmpty(env['QUEUE_RESIZE']) ?? 'resize-image',
    queueCharge: nonEmpty(env['QUEUE_CHARGE']) ?? 'charge-card',
    concurrency: numberOf(env['CONCURRENCY']) ?? DEFAULTS.concurrency,
    logLevel: logLevel as Level | 'silent',
    workMs,
  };
  if (clusterNodes !== undefined && bad === undefined) config.redisClusterNodes = clusterNodes;
  issues.push(...workerOptionIssues(config, env));
  const [first, ...more] = issues;
  if (first !== undefined) throw new ConfigError([first, ...more]);
  return config;
}

/** Which variable sets which `ActivityWorker` option (the queue name is the worker's first argument). */
const VARIABLE_OF_OPTION: Readonly<Record<string, string>> = {
  concurrency: 'CONCURRENCY',
  'sfn.region': 'AWS_REGION',
  'sfn.endpoint': 'SFN_ENDPOINT',
};

/**
 * The worker library's verdict on the options this config sets, for both queues. The library stops at
 * its first bad option, so each one found is set aside (back to its default) and the rest compiled again.
 */
function workerOptionIssues(config: ExampleWorkerConfig, env: NodeJS.ProcessEnv): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  // The Redis URL is the app's to check (above); the library sees only that a connection is given.
  const candidate = { ...config, redisUrl: 'redis://stand-in' };
  const queues: Array<[variable: string, name: string]> = [
    ['QUEUE_RESIZE', config.queueResize],
    ['QUEUE_CHARGE', config.queueCharge],
  ];
  for (const [queueVariable, queueName] of queues) {
    let name = queueName;
    for (let attempt = 0; attempt <= Object.keys(VARIABLE_OF_OPTION).length + 1; attempt += 1) {
      const refused = compileIssue(name, workerOptionsOf(candidate));
      if (refused === undefined) break;
      if (refused.option === 'queueName') {
        issues.push(issueOf(queueVariable, refused, env[queueVariable]));
        name = 'stand-in';
        continue;
      }
      const variable = VARIABLE_OF_OPTION[refused.option];
      if (variable === undefined) {
        // An option this app does not set cannot be wrong through the environment: a bug of ours.
        throw new Error(`example-worker: the worker refused its option ${refused.option}: ${refused.rule}`);
      }
      if (!issues.some((issue) => issue.variable === variable)) {
        issues.push(issueOf(variable, refused, env[variable]));
      }
      setAside(candidate, variable);
    }
  }
  return issues;
}

interface RefusedOption {
  option: string;
  rule: string;
}

/** The first option `compileActivityWorkerOptions` refuses, or undefined when it takes them all. */
function compileIssue(queueName: string, options: ActivityWorkerOptions): RefusedOption | undefined {
  try {
    compileActivityWorkerOptions(queueName, options);
    return undefined;
  } catch (error) {
    // By the predicate, not instanceof: the error may come from the worker's other (ESM/CJS) build.
    if (!isInvalidOptionError(error)) throw error;
    return { option: error.option, rule: error.rule };
  }
}

function issueOf(variable: string, refused: RefusedOption, raw: string | undefined): ConfigIssue {
  return { variable, message: `${refused.option} ${refused.rule}, got '${raw ?? ''}'` };
}

function setAside(candidate: ExampleWorkerConfig, variable: string): void {
  if (variable === 'CONCURRENCY') candidate.concurrency = DEFAULTS.concurrency;
  else if (variable === 'AWS_REGION') candidate.region = DEFAULTS.region;
  else if (variable === 'SFN_ENDPOINT') candidate.sfnEndpoint = undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** A number from a variable (NaN when it is not one, for the rule to refuse); undefined when unset. */
function numberOf(value: string | undefined): number | undefined {
  const raw = nonEmpty(value);
  return raw === undefined ? undefined : Number(raw);
}
