// Turns a parsed config file plus the environment into a ServiceConfig, or a
// ConfigError listing every mistake by field (`activities[1].polls: must be 1–1000, got 5000`).
import { DEFAULT_MAX_WAITING } from '@sfn-bullmq/bridge';
import {
  InvalidClientOptionError,
  SFN_LIMITS,
  compileActivityClientOptions,
  parseActivityArn,
} from '@sfn-bullmq/protocol';
import { ConfigError } from './config-error.js';
import { FieldChecker, isPlainObject, show } from './field-checker.js';
import {
  LOG_LEVELS,
  type ActivityJobOptions,
  type JobRetentionConfig,
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

const TOP = ['workerName', 'logLevel', 'redis', 'stepFunctions', 'http', 'drainTimeoutMs', 'activities'];
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
  'jobOptions',
];
const JOB_OPTIONS = ['attempts', 'backoff', 'removeOnComplete', 'removeOnFail'];
const MAX = Number.MAX_SAFE_INTEGER;
const DAY_MS = 86_400_000;

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
  const redis = c.object('redis', top['redis'], ['url', 'prefix', 'unsafeAllowEvictionPolicy']) ?? {};
  const sfn = c.object('stepFunctions', top['stepFunctions'], ['region', 'endpoint']) ?? {};
  const http = c.object('http', top['http'], ['host', 'port', 'board']) ?? {};
  const board = c.object('http.board', http['board'], ['enabled', 'readOnly']) ?? {};

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
      prefix:
        c.string('redis.prefix', redis['prefix'], (p) =>
          p.includes(':') ? `must not contain ':', got ${show(p)}` : undefined,
        ) ?? 'bull',
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
  const region = c.string(regionField, regionValue, (r) =>
    /^[a-z]{2}(-[a-z]+)+-\d+$/.test(r)
      ? undefined
      : `must be an AWS region such as us-east-1, got ${show(r)}`,
  );
  if (region !== undefined) config.stepFunctions.region = region;
  const endpoint = c.string(endpointField, endpointValue, endpointProblem);
  if (endpoint !== undefined) config.stepFunctions.endpoint = endpoint;
  const workerName = c.string('workerName', top['workerName'], (w) =>
    w.length > SFN_LIMITS.workerNameMaxChars
      ? `must be at most ${SFN_LIMITS.workerNameMaxChars} characters, got ${w.length}`
      : undefined,
  );
  if (workerName !== undefined) config.workerName = workerName;
  if (c.boolean('redis.unsafeAllowEvictionPolicy', redis['unsafeAllowEvictionPolicy']) === true) {
    config.redis.unsafeAllowEvictionPolicy = true;
  }
  const drainTimeoutMs = c.integer('drainTimeoutMs', top['drainTimeoutMs'], 0, MAX);
  if (drainTimeoutMs !== undefined) config.drainTimeoutMs = drainTimeoutMs;

  const activities = top['activities'];
  if (!Array.isArray(activities) || activities.length === 0) {
    c.fail('activities', `must be a list with at least one activity, got ${show(activities)}`);
  } else {
    activities.forEach((item, index) => {
      const activity = compileActivity(c, `activities[${index}]`, item);
      if (activity !== undefined) config.activities.push(activity);
    });
    checkDuplicates(c, config.activities);
  }

  if (c.issues.length > 0) throw new ConfigError(c.issues, source);
  return config;
}

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

  const activityName =
    target === undefined
      ? undefined
      : target.kind === 'create'
        ? target.name
        : parseActivityArn(target.arn).name;
  const queue =
    c.string(`${field}.queue`, a['queue'], (q) =>
      q.includes(':') ? `must not contain ':', got ${show(q)}` : undefined,
    ) ?? activityName;
  const polls = c.integer(`${field}.polls`, a['polls'], 1, SFN_LIMITS.pollsPerActivityMax);
  const maxWaiting = c.integer(`${field}.maxWaiting`, a['maxWaiting'], 1, MAX);
  // At least 1, as the bridge requires: below 0 waiting jobs the polls would never open again.
  const resumeBelow = c.integer(`${field}.resumeBelow`, a['resumeBelow'], 1, MAX);
  const highWater = maxWaiting ?? DEFAULT_MAX_WAITING;
  if (resumeBelow !== undefined && resumeBelow >= highWater) {
    c.fail(`${field}.resumeBelow`, `must be below maxWaiting (${highWater}), got ${resumeBelow}`);
  }
  const enqueueDeadlineMs = c.integer(`${field}.enqueueDeadlineMs`, a['enqueueDeadlineMs'], 1, MAX);
  const unhealthyAfterMs = c.integer(`${field}.unhealthyAfterMs`, a['unhealthyAfterMs'], 1, MAX);
  const jobOptions = compileJobOptions(c, `${field}.jobOptions`, a['jobOptions']);

  if (c.issues.length > before || target === undefined || queue === undefined) return undefined;
  const activity: CompiledActivityConfig = { target, queue };
  if (polls !== undefined) activity.polls = polls;
  if (maxWaiting !== undefined) activity.maxWaiting = maxWaiting;
  if (resumeBelow !== undefined) activity.resumeBelow = resumeBelow;
  if (enqueueDeadlineMs !== undefined) activity.enqueueDeadlineMs = enqueueDeadlineMs;
  if (unhealthyAfterMs !== undefined) activity.unhealthyAfterMs = unhealthyAfterMs;
  if (jobOptions !== undefined) activity.jobOptions = jobOptions;
  return activity;
}

function compileJobOptions(c: FieldChecker, field: string, raw: unknown): ActivityJobOptions | undefined {
  const o = c.object(field, raw, JOB_OPTIONS);
  if (o === undefined) return undefined;
  const options: ActivityJobOptions = {};
  const attempts = c.integer(`${field}.attempts`, o['attempts'], 1, 1000);
  if (attempts !== undefined) options.attempts = attempts;
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
    const value = compileKeep(c, `${field}.${key}`, o[key]);
    if (value !== undefined) options[key] = value;
  }
  return options;
}

/** `removeOnComplete`/`removeOnFail`: true, a count, or `{ age (seconds), count }`. `false` (keep forever) is refused. */
function compileKeep(c: FieldChecker, field: string, raw: unknown): JobRetentionConfig | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (raw === false) {
    c.fail(field, 'false keeps every job forever and fills Redis; give a count or { age, count }');
    return undefined;
  }
  if (raw === true) return true;
  if (typeof raw === 'number') return c.integer(field, raw, 0, MAX);
  const o = c.object(field, raw, ['age', 'count']);
  if (o === undefined) return undefined;
  const age = c.integer(`${field}.age`, o['age'], 1, (365 * DAY_MS) / 1000);
  const count = c.integer(`${field}.count`, o['count'], 0, MAX);
  if (o['age'] === undefined && o['count'] === undefined) c.fail(field, 'needs age (seconds) or count');
  // BullMQ's KeepJobs object needs an age; a count alone is the plain number form.
  if (age === undefined) return count;
  return count === undefined ? { age } : { age, count };
}

function checkDuplicates(c: FieldChecker, activities: CompiledActivityConfig[]): void {
  const seenTargets = new Map<string, number>();
  const seenQueues = new Map<string, number>();
  activities.forEach((activity, index) => {
    const key = activity.target.kind === 'arn' ? activity.target.arn : `name:${activity.target.name}`;
    const target = seenTargets.get(key);
    if (target !== undefined) {
      c.fail(`activities[${index}]`, `names the same activity as activities[${target}]`);
    } else seenTargets.set(key, index);
    const queue = seenQueues.get(activity.queue);
    if (queue !== undefined) {
      c.fail(`activities[${index}].queue`, `'${activity.queue}' is already used by activities[${queue}]`);
    } else seenQueues.set(activity.queue, index);
  });
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
