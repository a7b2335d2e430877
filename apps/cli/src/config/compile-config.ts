// Turns a parsed config file plus the environment into a ServiceConfig, or a ConfigError listing
// every mistake by field (`activities[1].polls: must be an integer 1–1000, got 5000`). The bridge's
// own options are checked by the bridge's compile (its rules are the only rules); this file checks
// only what the file alone holds (`create`, `name`, `http.*`, `logLevel`, `redis.url`, unknown fields).
import { compileBridgeOptions, type ActivityPollerOptions, type BridgeOptions } from '@sfn-bullmq/bridge';
import {
  InvalidClientOptionError,
  compileActivityClientOptions,
  isAwsRegion,
  isInvalidOptionError,
  parseActivityArn,
} from '@sfn-bullmq/protocol';
import { ConfigError, type ConfigIssue } from './config-error.js';
import { clusterConnectionOf } from './redis-connection.js';
import { FieldChecker, isPlainObject, show } from './field-checker.js';
import {
  LOG_LEVELS,
  type ActivityJobOptions,
  type CompiledActivityConfig,
  type LogLevel,
  type ServiceConfig,
} from './service-config.js';

/** The environment variables that override the file, and the field each one replaces. */
export const ENV_OVERRIDES = {
  REDIS_URL: 'redis.url',
  AWS_REGION: 'stepFunctions.region',
  SFN_ENDPOINT: 'stepFunctions.endpoint',
  PORT: 'http.port',
  HTTP_HOST: 'http.host',
  LOG_LEVEL: 'logLevel',
} as const;

export type ConfigEnv = Partial<Record<keyof typeof ENV_OVERRIDES, string | undefined>>;

const TOP = [
  'workerName',
  'logLevel',
  'redis',
  'stepFunctions',
  'http',
  'drainTimeoutMs',
  'queuedHeartbeatsPerSecond',
  'queuedHeartbeatDutyTtlMs',
  'fleet',
  'activities',
];
const FLEET = ['enabled', 'leaseTtlMs', 'pollHoldMs'];
const ACTIVITY = [
  'arn',
  'name',
  'create',
  'queue',
  'polls',
  'maxWaiting',
  'resumeBelow',
  'enqueueDeadlineMs',
  'unhealthyAfterMs',
  'queuedHeartbeatIntervalMs',
  'fleetPolls',
  'jobOptions',
];
const JOB_OPTIONS = ['attempts', 'backoff', 'removeOnComplete', 'removeOnFail'];
const MAX = Number.MAX_SAFE_INTEGER;
/** The account in the ARN an activity to be created is checked with, before CreateActivity gives the real one. */
const PLACEHOLDER_ACCOUNT = '000000000000';

/** Validates `raw` (the parsed file; `{}` for none) and applies `env`; throws ConfigError naming each bad field. */
export function compileConfig(raw: unknown, env: ConfigEnv = {}, source?: string): ServiceConfig {
  const c = new FieldChecker();
  if (!isPlainObject(raw)) {
    throw new ConfigError(
      [{ field: '(file)', message: `must be a mapping of fields, got ${show(raw)}` }],
      source,
    );
  }
  const top = c.object('', raw, TOP) ?? {};
  const redis =
    c.object('redis', top['redis'], ['url', 'cluster', 'prefix', 'unsafeAllowEvictionPolicy']) ?? {};
  const sfn = c.object('stepFunctions', top['stepFunctions'], ['region', 'endpoint']) ?? {};
  const http = c.object('http', top['http'], ['host', 'port', 'board']) ?? {};
  const board = c.object('http.board', http['board'], ['enabled', 'readOnly']) ?? {};
  const fleet = c.object('fleet', top['fleet'], FLEET);

  // An environment value replaces the file's and is reported under both names.
  const pick = (field: string, fileValue: unknown, envName: keyof ConfigEnv): [string, unknown] => {
    const value = env[envName];
    return value !== undefined && value !== '' ? [`${field} (from ${envName})`, value] : [field, fileValue];
  };

  const [redisUrlField, redisUrlValue] = pick('redis.url', redis['url'], 'REDIS_URL');
  const [regionField, regionValue] = pick('stepFunctions.region', sfn['region'], 'AWS_REGION');
  const [endpointField, endpointValue] = pick('stepFunctions.endpoint', sfn['endpoint'], 'SFN_ENDPOINT');
  const [portField, portValue] = pick('http.port', http['port'], 'PORT');
  const [hostField, hostValue] = pick('http.host', http['host'], 'HTTP_HOST');
  const [levelField, levelValue] = pick('logLevel', top['logLevel'], 'LOG_LEVEL');

  const config: ServiceConfig = {
    logLevel: c.oneOf<LogLevel>(levelField, levelValue, LOG_LEVELS) ?? 'info',
    redis: {
      url: c.string(redisUrlField, redisUrlValue, redisUrlProblem) ?? 'redis://127.0.0.1:6379',
      prefix: (redis['prefix'] as string | undefined) ?? 'bull',
    },
    stepFunctions: {},
    http: {
      host: c.string(hostField, hostValue) ?? '127.0.0.1',
      port: c.integer(portField, portValue, 0, 65_535) ?? 3000,
      board: {
        enabled: c.boolean('http.board.enabled', board['enabled']) ?? true,
        readOnly: c.boolean('http.board.readOnly', board['readOnly']) ?? false,
      },
    },
    activities: [],
  };
  // The region is the SDK's to resolve; the file's value is checked for shape only (protocol's one rule).
  const region = c.string(regionField, regionValue, (r) =>
    isAwsRegion(r) ? undefined : `must be an AWS region such as us-east-1, got ${show(r)}`,
  );
  if (region !== undefined) config.stepFunctions.region = region;
  if (endpointValue !== undefined && endpointValue !== null) {
    config.stepFunctions.endpoint = endpointValue as string;
  }
  if (top['workerName'] !== undefined) config.workerName = top['workerName'] as string;
  if (redis['unsafeAllowEvictionPolicy'] === true) config.redis.unsafeAllowEvictionPolicy = true;
  const cluster = compileCluster(c, redis, redisUrlField, redisUrlValue);
  if (cluster !== undefined) config.redis.cluster = cluster;
  if (top['drainTimeoutMs'] !== undefined) config.drainTimeoutMs = top['drainTimeoutMs'] as number;
  for (const key of ['queuedHeartbeatsPerSecond', 'queuedHeartbeatDutyTtlMs'] as const) {
    if (top[key] !== undefined && top[key] !== null) config[key] = top[key] as number;
  }
  // The bridge's own `fleet` options, as they are (the bridge checks them).
  if (fleet !== undefined) config.fleet = fleet;

  const activities = top['activities'];
  // Where each library option path is in the file, for the messages.
  const fields = new FieldPaths({
    prefix: 'redis.prefix',
    connection: 'redis.cluster',
    unsafeAllowEvictionPolicy: 'redis.unsafeAllowEvictionPolicy',
    'sfn.endpoint': endpointField,
    'sfn.region': regionField,
  });
  const pools: ActivityPollerOptions[] = [];
  if (!Array.isArray(activities) || activities.length === 0) {
    c.fail('activities', `must be a list with at least one activity, got ${show(activities)}`);
  } else {
    activities.forEach((item, index) => {
      const field = `activities[${index}]`;
      const activity = compileActivity(c, field, item);
      if (activity === undefined) return;
      // A pool the library checks; an activity to be created is checked under a stand-in ARN with its name.
      fields.set(`activities[${pools.length}]`, field);
      fields.set(
        `activities[${pools.length}].activityArn`,
        activity.target.kind === 'arn' ? `${field}.arn` : `${field}.name`,
      );
      fields.set(`activities[${pools.length}].queueName`, `${field}.queue`);
      pools.push(poolOptionsOf(activity, a(item)));
      config.activities.push(activity);
    });
  }
  // The bridge's own checks, every issue at once, named by the file's field paths.
  const candidate: BridgeOptions = {
    // A cluster is given to the bridge's compile, which holds the hash-tag rule for the queues.
    connection: cluster === undefined ? {} : clusterConnectionOf(cluster),
    sfn: { ...(region === undefined ? {} : { region }), ...withEndpoint(endpointValue) },
    activities: pools.length > 0 ? pools : [{ activityArn: placeholderArn('stand-in') }],
  };
  if (redis['prefix'] !== undefined) candidate.prefix = redis['prefix'] as string;
  if (top['workerName'] !== undefined) candidate.workerName = top['workerName'] as string;
  if (top['drainTimeoutMs'] !== undefined) candidate.drainTimeoutMs = top['drainTimeoutMs'] as number;
  if (config.queuedHeartbeatsPerSecond !== undefined) {
    candidate.queuedHeartbeatsPerSecond = config.queuedHeartbeatsPerSecond;
  }
  if (config.queuedHeartbeatDutyTtlMs !== undefined) {
    candidate.queuedHeartbeatDutyTtlMs = config.queuedHeartbeatDutyTtlMs;
  }
  if (config.fleet !== undefined) candidate.fleet = config.fleet;
  if (redis['unsafeAllowEvictionPolicy'] !== undefined) {
    candidate.unsafeAllowEvictionPolicy = redis['unsafeAllowEvictionPolicy'] as boolean;
  }
  try {
    compileBridgeOptions(candidate);
  } catch (error) {
    if (!isInvalidOptionError(error)) throw error;
    for (const issue of error.issues ?? [error]) {
      c.fail(fields.of(issue.option), `${issue.rule}, got ${show(unplaceholder(issue.value))}`);
    }
  }

  if (c.issues.length > 0) throw new ConfigError(sortByField(c.issues), source);
  return config;
}

function a(item: unknown): Record<string, unknown> {
  return item as Record<string, unknown>;
}

/** `{ endpoint }` when one is given, as the client takes it (the library checks it). */
function withEndpoint(value: unknown): { endpoint?: string } {
  return value === undefined || value === null ? {} : { endpoint: value as string };
}

/** The ARN an activity to be created is checked under: its name, a stand-in account. */
function placeholderArn(name: string): string {
  return `arn:aws:states:us-east-1:${PLACEHOLDER_ACCOUNT}:activity:${name}`;
}

/** A stand-in ARN shown as the name it stands for. */
function unplaceholder(value: unknown): unknown {
  const prefix = placeholderArn('');
  return typeof value === 'string' && value.startsWith(prefix) ? value.slice(prefix.length) : value;
}

/** The pool fields that are plain numbers, copied as they are from the file (the bridge library checks them). */
const NUMERIC_POOL_FIELDS = [
  'polls',
  'maxWaiting',
  'resumeBelow',
  'enqueueDeadlineMs',
  'unhealthyAfterMs',
  'queuedHeartbeatIntervalMs',
  'fleetPolls',
] as const;

/** The library's options of one pool, from the file's values as they are (the library checks them). */
function poolOptionsOf(
  activity: CompiledActivityConfig,
  raw: Record<string, unknown>,
): ActivityPollerOptions {
  const options: ActivityPollerOptions = {
    activityArn: activity.target.kind === 'arn' ? activity.target.arn : placeholderArn(activity.target.name),
    queueName: activity.queue,
  };
  for (const key of NUMERIC_POOL_FIELDS) {
    if (raw[key] !== undefined && raw[key] !== null) options[key] = raw[key] as number;
  }
  if (activity.jobOptions !== undefined) options.jobOptions = activity.jobOptions;
  return options;
}

/** Maps the library's option paths (`activities[0].queueName`) onto the file's (`activities[0].queue`). */
class FieldPaths {
  private readonly paths: Map<string, string>;

  constructor(fixed: Record<string, string>) {
    this.paths = new Map(Object.entries(fixed));
  }

  set(option: string, field: string): void {
    this.paths.set(option, field);
  }

  /** The longest known prefix of `option` replaced by its field (`activities[0].jobOptions.attempts`). */
  of(option: string): string {
    const exact = this.paths.get(option);
    if (exact !== undefined) return exact;
    const pool = /^(activities\[\d+\])(\..*)?$/.exec(option);
    if (pool?.[1] !== undefined) return `${this.paths.get(pool[1]) ?? pool[1]}${pool[2] ?? ''}`;
    return option;
  }
}

/** Issues in file order (top-level fields, then each activity by index), however they were found. */
function sortByField(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const rank = (field: string): number => {
    const index = /^activities\[(\d+)\]/.exec(field)?.[1];
    return index === undefined ? -1 : Number(index);
  };
  return issues
    .map((issue, order) => ({ issue, order }))
    .sort((x, y) => rank(x.issue.field) - rank(y.issue.field) || x.order - y.order)
    .map(({ issue }) => issue);
}

/** The file-only part of one activity (arn or name with create, unknown fields, backoff); the rest is the bridge's. */
function compileActivity(c: FieldChecker, field: string, raw: unknown): CompiledActivityConfig | undefined {
  const before = c.issues.length;
  const a = c.object(field, raw, ACTIVITY);
  if (a === undefined) {
    if (raw === undefined || raw === null) c.fail(field, 'must be an object with arn or name');
    return undefined;
  }
  const arn = c.string(`${field}.arn`, a['arn'], (value) => {
    try {
      parseActivityArn(value);
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  });
  // CreateActivity's rule for names; the library knows only ARNs.
  const name = c.string(`${field}.name`, a['name'], (value) =>
    /^[A-Za-z0-9_-]{1,80}$/.test(value)
      ? undefined
      : `must be 1–80 letters, digits, '-' or '_', got ${show(value)}`,
  );
  const create = c.boolean(`${field}.create`, a['create']) ?? false;
  let target: CompiledActivityConfig['target'] | undefined;
  if (a['arn'] !== undefined && a['name'] !== undefined) {
    c.fail(field, 'give either arn or name (with create: true), not both');
  } else if (a['arn'] !== undefined) {
    if (create) c.fail(`${field}.create`, 'only goes with name (an activity given by arn already exists)');
    if (arn !== undefined) target = { kind: 'arn', arn };
  } else if (a['name'] !== undefined) {
    if (!create)
      c.fail(`${field}.create`, 'must be true when the activity is given by name (or give its arn)');
    if (name !== undefined) target = { kind: 'create', name };
  } else {
    c.fail(`${field}.arn`, 'is required (or name with create: true)');
  }
  const jobOptions = compileJobOptions(c, `${field}.jobOptions`, a['jobOptions']);
  if (c.issues.length > before || target === undefined) return undefined;
  const activityName = target.kind === 'create' ? target.name : parseActivityArn(target.arn).name;
  const activity: CompiledActivityConfig = {
    target,
    queue: (a['queue'] as string | undefined) ?? activityName,
  };
  for (const key of NUMERIC_POOL_FIELDS) {
    if (a[key] !== undefined && a[key] !== null) activity[key] = a[key] as number;
  }
  if (jobOptions !== undefined) activity.jobOptions = jobOptions;
  return activity;
}

/** Unknown fields and the backoff's shape (which the bridge passes to BullMQ unchecked); the rest is the bridge's. */
function compileJobOptions(c: FieldChecker, field: string, raw: unknown): ActivityJobOptions | undefined {
  const o = c.object(field, raw, JOB_OPTIONS);
  // Not an object: already reported, and the activity is dropped with it.
  if (o === undefined) return undefined;
  const options: ActivityJobOptions = {};
  if (o['attempts'] !== undefined) options.attempts = o['attempts'] as number;
  const backoff = o['backoff'];
  if (backoff !== undefined) {
    const b = c.object(`${field}.backoff`, backoff, ['type', 'delay']);
    const type = c.oneOf(`${field}.backoff.type`, b?.['type'], ['fixed', 'exponential'] as const);
    const delay = c.integer(`${field}.backoff.delay`, b?.['delay'], 0, MAX);
    if (b !== undefined && type === undefined && b['type'] === undefined) {
      c.fail(`${field}.backoff.type`, 'is required (fixed or exponential)');
    }
    if (type !== undefined) options.backoff = delay === undefined ? { type } : { type, delay };
  }
  for (const key of ['removeOnComplete', 'removeOnFail'] as const) {
    if (o[key] !== undefined && o[key] !== null) options[key] = o[key] as ActivityJobOptions[typeof key];
  }
  return options;
}

/**
 * `redis.cluster`: a non-empty list of node URLs and optional ioredis ClusterOptions; it replaces
 * `redis.url`, so both at once (or REDIS_URL with a cluster in the file) is a mistake.
 */
function compileCluster(
  c: FieldChecker,
  redis: Record<string, unknown>,
  urlField: string,
  urlValue: unknown,
): ServiceConfig['redis']['cluster'] {
  const cluster = c.object('redis.cluster', redis['cluster'], ['nodes', 'options']);
  if (cluster === undefined) return undefined;
  if (urlValue !== undefined && urlValue !== null) {
    c.fail(urlField, 'cannot be set together with redis.cluster (which lists the nodes): keep one');
  }
  const nodes = cluster['nodes'];
  if (!Array.isArray(nodes) || nodes.length === 0) {
    c.fail('redis.cluster.nodes', `must be a list of redis:// or rediss:// node URLs, got ${show(nodes)}`);
    return undefined;
  }
  const checked = nodes.map((node, i) => c.string(`redis.cluster.nodes[${i}]`, node, redisUrlProblem));
  const options = cluster['options'];
  if (options !== undefined && !isPlainObject(options)) {
    c.fail('redis.cluster.options', `must be an object of ioredis ClusterOptions, got ${show(options)}`);
  }
  if (checked.some((node) => node === undefined)) return undefined;
  const compiled: NonNullable<ServiceConfig['redis']['cluster']> = { nodes: checked as string[] };
  if (isPlainObject(options)) compiled.options = options;
  return compiled;
}

function redisUrlProblem(url: string): string | undefined {
  const protocol = URL.canParse(url) ? new URL(url).protocol : undefined;
  return protocol === 'redis:' || protocol === 'rediss:'
    ? undefined
    : `must be a redis:// or rediss:// URL, got ${show(url)}`;
}

/** The endpoint rule of the client that will use it (an http(s) URL whose path the signer can sign as it is). */
export function endpointProblem(endpoint: string): string | undefined {
  try {
    compileActivityClientOptions({ endpoint });
    return undefined;
  } catch (error) {
    if (!(error instanceof InvalidClientOptionError)) throw error;
    return `${error.rule}, got ${show(endpoint)}`;
  }
}
