// The bridge's options in three stages: public `BridgeOptions` (all optional but
// what cannot be guessed), `compileBridgeOptions()` and the `Compiled*` forms.
import { hostname } from 'node:os';
import type { ConnectionOptions } from 'bullmq';
import type { ClusterOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { TokenObserver } from './token-observer.js';
import {
  DEFAULT_POLL_REQUEST_TIMEOUT_MS,
  InvalidActivityArnError,
  InvalidClientOptionError,
  MIN_POLL_REQUEST_TIMEOUT_MS,
  SFN_LIMITS,
  compileActivityClientOptions,
  isClusterConnection,
  parseActivityArn,
  queueSlotIssue,
  redisConnectionIssues,
  type RedisClusterConnectionOptions,
  type SfnConnectionOptions,
} from '@sfn-bullmq/protocol';
import {
  compileQueuedHeartbeatBridgeOptions,
  compileQueuedHeartbeatInterval,
  type CompiledQueuedHeartbeatBridgeOptions,
  type QueuedHeartbeatActivityOptions,
  type QueuedHeartbeatBridgeOptions,
} from './queued-heartbeats/queued-heartbeat-options.js';
import {
  compileActivityFleetOptions,
  compileFleetOptions,
  type ActivityFleetOptions,
  type BridgeFleetOptions,
  type CompiledActivityFleetOptions,
  type CompiledFleetOptions,
} from './fleet/fleet-options.js';
import { InvalidBridgeOptionError, IssueList, fail, integer, positiveMs } from './bridge-option-rules.js';
import { compileJobOptions, type BridgeJobOptions, type CompiledJobOptions } from './bridge-job-options.js';

// Defined with the shared checks and the job options; exported from here, where the options are.
export { InvalidBridgeOptionError };
export { DEFAULT_REMOVE_ON_COMPLETE, DEFAULT_REMOVE_ON_FAIL } from './bridge-job-options.js';
export type { BridgeJobOptions, CompiledJobOptions, JobRetention } from './bridge-job-options.js';

export interface ActivityPollerOptions extends QueuedHeartbeatActivityOptions, ActivityFleetOptions {
  /** The activity to poll, `arn:aws:states:<region>:<account>:activity:<name>`. */
  activityArn: string;
  /** The BullMQ queue its tasks go to. Must not contain ':'. @default the activity's name (from the ARN) */
  queueName?: string;
  /** GetActivityTask calls kept open at every moment, 1–1,000 (the service's limit per ARN). @default 100 */
  polls?: number;
  /** Back-pressure high-water mark: at or above this many waiting jobs no new poll is opened. @default 1000 */
  maxWaiting?: number;
  /** Low-water mark: polls open again when waiting jobs fall below it. @default maxWaiting / 2 */
  resumeBelow?: number;
  /** A token not stored in Redis by then is reported with SendTaskFailure `SfnBullmq.EnqueueFailed`. @default 30_000 */
  enqueueDeadlineMs?: number;
  /**
   * Tokens held in memory, not yet stored, above which no new poll is opened (Redis slow or down).
   * A poll already open is never abandoned, so memory holds at most `maxHeldTokens + polls` tokens;
   * once an add has failed no poll opens at all until every held token is stored or reported, so in
   * practice the count stays at the adds in flight plus the polls that were open then. @default polls
   */
  maxHeldTokens?: number;
  /** BullMQ options of each job. @default bounded retention, see `BridgeJobOptions` */
  jobOptions?: BridgeJobOptions;
  /** Longest time one add to Redis may take before it is treated as failed and retried. @default 5_000 */
  enqueueAttemptTimeoutMs?: number;
  /** How often the waiting count is read for back-pressure (also after every `maxWaiting / 10` adds). @default 1_000 */
  backpressureCheckIntervalMs?: number;
  /** Backoff of a poll slot after a throttling, 5xx or network error: full jitter up to this cap. @default 20_000 */
  pollBackoffMaxMs?: number;
  /** How often a pool stopped by a missing activity tries one poll to see whether it is back. @default 30_000 */
  missingActivityRetryMs?: number;
  /**
   * A pool whose polls keep failing (endpoint unreachable, no credentials, HTTP 5xx…) with none
   * answered for this long is unhealthy: state `failing`, `/readyz` 503, one error log line. @default 15_000
   */
  unhealthyAfterMs?: number;
}

/**
 * A Redis Cluster: startup `nodes` and ioredis `ClusterOptions`; TLS and auth go in `options.redisOptions`,
 * as for one node. See docs/bullmq-redis.md#redis-cluster.
 */
export type BridgeClusterConnection = RedisClusterConnectionOptions<ClusterOptions>;

export interface BridgeOptions extends QueuedHeartbeatBridgeOptions, BridgeFleetOptions {
  /**
   * Redis for BullMQ: single-node options (`{ url }`, `{ host, port }`), a cluster (`{ cluster: { nodes,
   * options } }`), or an ioredis `Redis` or `Cluster` the caller owns and closes.
   */
  connection: ConnectionOptions | BridgeClusterConnection;
  /**
   * BullMQ key prefix. On Redis Cluster a queue's keys must share a slot: give each queue name a hash tag
   * (`{orders}`) or the prefix one (`{sfn}`, every queue in one slot); anything else is refused. @default 'bull'
   */
  prefix?: string;
  /** Step Functions endpoint, region and credentials. */
  sfn: SfnConnectionOptions;
  /** Sent with every poll; shows in the execution history. 1–80 characters. @default `${hostname}-${pid}` */
  workerName?: string;
  /** One pool per activity ARN. */
  activities: ActivityPollerOptions[];
  /** @default a pino logger at level 'info' named 'sfn-bullmq-bridge' (as the worker's is 'sfn-bullmq-worker') */
  logger?: Logger;
  /** @default a new Registry */
  registry?: Registry;
  /** Watches each token's way into Redis: `bridgeTracing()` from `@sfn-bullmq/bridge/tracing` (docs/observability.md). @default none */
  tokenObserver?: TokenObserver;
  /** How long a graceful close() waits for open polls and held tokens. @default pollRequestTimeoutMs + 5_000 */
  drainTimeoutMs?: number;
  /** Client-side limit of one GetActivityTask call, at least 65,000. @default 75_000 */
  pollRequestTimeoutMs?: number;
  /**
   * Run on a Redis whose `maxmemory-policy` is not `noeviction`, logging the danger at error level at each
   * check, instead of refusing it. Evicted jobs lose their tasks silently: only for those who know why. @default false
   */
  unsafeAllowEvictionPolicy?: boolean;
}

export interface CompiledActivityPollerOptions extends CompiledActivityFleetOptions {
  activityArn: string;
  activityName: string;
  queueName: string;
  polls: number;
  maxWaiting: number;
  resumeBelow: number;
  enqueueDeadlineMs: number;
  maxHeldTokens: number;
  jobOptions: CompiledJobOptions;
  enqueueAttemptTimeoutMs: number;
  backpressureCheckIntervalMs: number;
  pollBackoffMaxMs: number;
  missingActivityRetryMs: number;
  unhealthyAfterMs: number;
  /** 0: off. */
  queuedHeartbeatIntervalMs: number;
}

export interface CompiledBridgeOptions {
  connection: ConnectionOptions | BridgeClusterConnection;
  prefix: string;
  sfn: SfnConnectionOptions;
  workerName: string;
  activities: CompiledActivityPollerOptions[];
  logger: Logger | undefined;
  registry: Registry | undefined;
  tokenObserver: TokenObserver | undefined;
  drainTimeoutMs: number;
  pollRequestTimeoutMs: number;
  unsafeAllowEvictionPolicy: boolean;
  queuedHeartbeats: CompiledQueuedHeartbeatBridgeOptions;
  fleet: CompiledFleetOptions;
}

const DEFAULT_POLLS = 100;
export const DEFAULT_MAX_WAITING = 1000;
const DEFAULT_ENQUEUE_DEADLINE_MS = 30_000;
const DEFAULT_UNHEALTHY_AFTER_MS = 15_000;

function activityNameOf(option: string, activityArn: unknown): string {
  if (typeof activityArn !== 'string') fail(`${option}.activityArn`, 'must be a string', activityArn);
  try {
    return parseActivityArn(activityArn).name;
  } catch (error) {
    if (error instanceof InvalidActivityArnError) {
      fail(
        `${option}.activityArn`,
        'must be arn:aws:states:<region>:<12-digit account>:activity:<name>',
        activityArn,
      );
    }
    throw error;
  }
}

/**
 * Fills the defaults of one pool's options and checks them; `option` prefixes the option paths.
 * Throws `InvalidBridgeOptionError` with every issue found.
 */
export function compileActivityPollerOptions(
  options: ActivityPollerOptions,
  option = 'activity',
): CompiledActivityPollerOptions {
  const list = new IssueList();
  const compiled = compilePoolInto(list, options, option);
  list.throwIfAny();
  return compiled;
}

/** One pool's options, recording its issues in `list` (where a bridge gathers all of them). */
function compilePoolInto(
  list: IssueList,
  options: ActivityPollerOptions,
  option: string,
): CompiledActivityPollerOptions {
  if (typeof options !== 'object' || (options as unknown) === null) {
    fail(option, 'must be an object', options);
  }
  const activityArn = options.activityArn;
  const activityName = list.take('', () => activityNameOf(option, activityArn));
  const queueName = options.queueName ?? activityName;
  list.take(undefined, () => {
    if (typeof queueName !== 'string' || queueName === '' || queueName.includes(':')) {
      fail(`${option}.queueName`, "must be a non-empty string without ':'", queueName);
    }
  });
  const polls =
    options.polls === undefined
      ? DEFAULT_POLLS
      : list.take(DEFAULT_POLLS, () =>
          integer(`${option}.polls`, options.polls, 1, SFN_LIMITS.pollsPerActivityMax),
        );
  const maxWaiting =
    options.maxWaiting === undefined
      ? DEFAULT_MAX_WAITING
      : list.take(DEFAULT_MAX_WAITING, () => integer(`${option}.maxWaiting`, options.maxWaiting, 1));
  const resumeBelow =
    options.resumeBelow === undefined
      ? Math.max(1, Math.floor(maxWaiting / 2))
      : list.take(1, () => integer(`${option}.resumeBelow`, options.resumeBelow, 1, maxWaiting));
  const enqueueDeadlineMs =
    options.enqueueDeadlineMs === undefined
      ? DEFAULT_ENQUEUE_DEADLINE_MS
      : list.take(DEFAULT_ENQUEUE_DEADLINE_MS, () =>
          positiveMs(`${option}.enqueueDeadlineMs`, options.enqueueDeadlineMs),
        );
  const maxHeldTokens =
    options.maxHeldTokens === undefined
      ? polls
      : list.take(polls, () => integer(`${option}.maxHeldTokens`, options.maxHeldTokens, 1));
  const ms = (name: keyof ActivityPollerOptions, fallback: number): number => {
    const value = options[name];
    return value === undefined ? fallback : list.take(fallback, () => positiveMs(`${option}.${name}`, value));
  };
  const compiled: CompiledActivityPollerOptions = {
    activityArn,
    activityName,
    queueName,
    polls,
    maxWaiting,
    resumeBelow,
    enqueueDeadlineMs,
    maxHeldTokens,
    jobOptions: compileJobOptions(list, `${option}.jobOptions`, options.jobOptions),
    enqueueAttemptTimeoutMs: ms('enqueueAttemptTimeoutMs', Math.min(5_000, enqueueDeadlineMs)),
    backpressureCheckIntervalMs: ms('backpressureCheckIntervalMs', 1_000),
    pollBackoffMaxMs: ms('pollBackoffMaxMs', 20_000),
    missingActivityRetryMs: ms('missingActivityRetryMs', 30_000),
    unhealthyAfterMs: ms('unhealthyAfterMs', DEFAULT_UNHEALTHY_AFTER_MS),
    queuedHeartbeatIntervalMs: list.add(compileQueuedHeartbeatInterval(options, option)),
    ...list.add(compileActivityFleetOptions(options, option)),
  };
  return compiled;
}

/** The default worker name: host name and pid, cut to the service's 80 characters. */
export function defaultWorkerName(): string {
  return `${hostname()}-${process.pid}`.slice(-SFN_LIMITS.workerNameMaxChars);
}

/**
 * Fills defaults and checks every option; throws one `InvalidBridgeOptionError` whose `issues` list every
 * bad option (so an app can report them all with their paths), the first also as `option`/`value`/`rule`.
 */
export function compileBridgeOptions(options: BridgeOptions): CompiledBridgeOptions {
  if (typeof options !== 'object' || (options as unknown) === null)
    fail('options', 'must be an object', options);
  const list = new IssueList();
  const { connection, sfn } = options;
  list.issues.push(...redisConnectionIssues(connection));
  list.take(undefined, () => {
    if (typeof sfn !== 'object' || (sfn as unknown) === null) {
      fail('sfn', 'must be an object (region, endpoint, credentials)', sfn);
    }
    try {
      // The Step Functions clients are made in start(); a bad endpoint fails here, at construction.
      compileActivityClientOptions(sfn);
    } catch (error) {
      if (error instanceof InvalidClientOptionError) fail(`sfn.${error.option}`, error.rule, error.value);
      throw error;
    }
  });
  const prefix = options.prefix ?? 'bull';
  list.take(undefined, () => {
    if (typeof prefix !== 'string' || prefix === '') fail('prefix', 'must be a non-empty string', prefix);
  });
  const workerName = options.workerName ?? defaultWorkerName();
  list.take(undefined, () => {
    if (
      typeof workerName !== 'string' ||
      workerName.length < 1 ||
      workerName.length > SFN_LIMITS.workerNameMaxChars
    ) {
      fail('workerName', `must be 1–${SFN_LIMITS.workerNameMaxChars} characters`, workerName);
    }
  });
  const activities: CompiledActivityPollerOptions[] = [];
  if (!Array.isArray(options.activities) || options.activities.length === 0) {
    list.take(undefined, () => fail('activities', 'must be a non-empty array', options.activities));
  } else {
    options.activities.forEach((activity, index) => {
      const compiled = list.take(undefined, () => compilePoolInto(list, activity, `activities[${index}]`));
      if (compiled !== undefined) activities.push(compiled);
    });
  }
  const arns = new Map<string, number>();
  const queues = new Map<string, number>();
  activities.forEach((activity, index) => {
    // Two pools on one ARN would double the polls past what the operator asked for.
    const sameArn = arns.get(activity.activityArn);
    if (sameArn !== undefined) {
      list.take(undefined, () =>
        fail(
          `activities[${index}].activityArn`,
          `appears twice (also activities[${sameArn}])`,
          activity.activityArn,
        ),
      );
    } else arns.set(activity.activityArn, index);
    // Two ARNs in one queue would share back-pressure in ways neither pool sees.
    const sameQueue = queues.get(activity.queueName);
    if (sameQueue !== undefined) {
      list.take(undefined, () =>
        fail(
          `activities[${index}].queueName`,
          `is already used by activities[${sameQueue}]`,
          activity.queueName,
        ),
      );
    } else queues.set(activity.queueName, index);
  });
  if (isClusterConnection(connection) && typeof prefix === 'string') {
    activities.forEach((activity, index) => {
      const issue = queueSlotIssue(prefix, activity.queueName, {
        prefix: 'prefix',
        queueName: `activities[${index}].queueName`,
      });
      if (issue !== undefined) list.issues.push(issue);
    });
  }
  const pollRequestTimeoutMs = list.take(DEFAULT_POLL_REQUEST_TIMEOUT_MS, () => {
    const value = options.pollRequestTimeoutMs ?? DEFAULT_POLL_REQUEST_TIMEOUT_MS;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < MIN_POLL_REQUEST_TIMEOUT_MS) {
      fail(
        'pollRequestTimeoutMs',
        `must be at least ${MIN_POLL_REQUEST_TIMEOUT_MS} (a poll is held up to 60 s)`,
        value,
      );
    }
    return value;
  });
  const drainTimeoutMs =
    options.drainTimeoutMs === undefined
      ? pollRequestTimeoutMs + 5_000
      : list.take(0, () => positiveMs('drainTimeoutMs', options.drainTimeoutMs));
  const unsafeAllowEvictionPolicy = options.unsafeAllowEvictionPolicy ?? false;
  list.take(undefined, () => {
    if (typeof unsafeAllowEvictionPolicy !== 'boolean') {
      fail('unsafeAllowEvictionPolicy', 'must be true or false', unsafeAllowEvictionPolicy);
    }
  });
  const queuedHeartbeats = list.add(compileQueuedHeartbeatBridgeOptions(options));
  const fleet = list.add(compileFleetOptions(options.fleet));
  const tokenObserver = options.tokenObserver;
  list.take(undefined, () => {
    if (
      tokenObserver !== undefined &&
      typeof (tokenObserver as { tokenReceived?: unknown } | null)?.tokenReceived !== 'function'
    ) {
      fail(
        'tokenObserver',
        'must be a TokenObserver (an object with a tokenReceived function)',
        tokenObserver,
      );
    }
  });
  list.throwIfAny();
  return {
    fleet,
    connection,
    prefix,
    sfn,
    workerName,
    activities,
    logger: options.logger,
    registry: options.registry,
    tokenObserver,
    drainTimeoutMs,
    pollRequestTimeoutMs,
    unsafeAllowEvictionPolicy,
    queuedHeartbeats,
  };
}
