// The config file's shape as users write it, and the compiled form the service
// runs on (defaults filled in, environment overrides applied, nothing optional that matters).
import type { BridgeJobOptions, FleetOptions } from '@sfn-bullmq/bridge';
import type { ClusterOptions } from 'ioredis';

/** Log levels pino knows. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Job options the bridge sets on every job of an activity's queue: the bridge's own (it checks them). */
export type ActivityJobOptions = BridgeJobOptions;

/** One activity in the config file. */
export interface ActivityConfig {
  /** The activity's ARN. Either this, or `name` with `create: true`. */
  arn?: string;
  /** The activity's name; with `create: true` the service creates it (CreateActivity is idempotent) and uses its ARN. */
  name?: string;
  /** Create the activity at start (emulator, or an account where the service may CreateActivity). @default false */
  create?: boolean;
  /** The BullMQ queue the tasks go to. @default the activity's name */
  queue?: string;
  /** Open GetActivityTask polls for this ARN, 1–1000. @default 100 */
  polls?: number;
  /** Stop opening polls when this many jobs wait in the queue. @default 1000 */
  maxWaiting?: number;
  /** Open polls again below this many waiting jobs. @default maxWaiting / 2 */
  resumeBelow?: number;
  /** How long a token may wait for Redis before the task is reported failed. @default 30000 */
  enqueueDeadlineMs?: number;
  /** No poll answered for this long while polls keep failing: the activity is unhealthy and /readyz 503. @default 15000 */
  unhealthyAfterMs?: number;
  /**
   * Longest a task waiting in the queue goes without a SendTaskHeartbeat from the bridge; must be below the
   * smallest HeartbeatSeconds of the activity's state machines. 0 turns it off. @default 20000
   */
  queuedHeartbeatIntervalMs?: number;
  /**
   * Open polls on this ARN across every bridge that polls it (they share it through Redis), 1–1000. Lower it
   * when other pollers use the activity too. @default 1000 (the service's limit)
   */
  fleetPolls?: number;
  /** BullMQ job options for this queue's jobs. @default bounded retention from the bridge */
  jobOptions?: ActivityJobOptions;
}

/** The config file. */
export interface FileConfig {
  /** The `workerName` sent with every poll; shows in ActivityStarted events. @default `<hostname>-<pid>` */
  workerName?: string;
  /** @default 'info' */
  logLevel?: LogLevel;
  redis?: {
    /** @default 'redis://127.0.0.1:6379' */
    url?: string;
    /**
     * A Redis Cluster instead of `url`: startup node URLs (`redis://` or `rediss://`, the first one's user,
     * password and TLS used for every node) and ioredis ClusterOptions. Every activity's `queue` (or the
     * prefix) then needs a hash tag such as `{orders}`: see docs/bullmq-redis.md#redis-cluster.
     */
    cluster?: { nodes: string[]; options?: Record<string, unknown> };
    /** BullMQ key prefix. On a cluster, a hash tag (`{sfn}`) here puts every queue in one slot. @default 'bull' */
    prefix?: string;
    /**
     * Run on a Redis whose maxmemory-policy is not noeviction (logged at error level) instead of refusing
     * it. Evicted jobs lose their tasks silently. @default false
     */
    unsafeAllowEvictionPolicy?: boolean;
  };
  stepFunctions?: {
    /** @default the AWS SDK's chain (AWS_REGION, profile) */
    region?: string;
    /** Another endpoint than AWS's, e.g. the emulator. */
    endpoint?: string;
  };
  http?: {
    /** @default '127.0.0.1' */
    host?: string;
    /** @default 3000 */
    port?: number;
    board?: {
      /** Serve Bull Board at /admin/queues. @default true */
      enabled?: boolean;
      /** No retry, remove, promote… buttons. @default false */
      readOnly?: boolean;
    };
  };
  /** How long a graceful stop waits for open polls to come back. @default the bridge's (poll timeout + margin) */
  drainTimeoutMs?: number;
  /** SendTaskHeartbeat calls per second for waiting tasks, all activities together (from the account's bucket). @default 100 */
  queuedHeartbeatsPerSecond?: number;
  /** How long a dead bridge keeps the duty to heartbeat a queue before another takes it. @default 15000 */
  queuedHeartbeatDutyTtlMs?: number;
  /** How the bridges on one ARN share its `fleetPolls` through Redis: `enabled`, `leaseTtlMs`, `pollHoldMs`. @default on, 15 s lease */
  fleet?: FleetOptions;
  activities?: ActivityConfig[];
}

/** A configured activity, resolved: either an ARN, or a name the service creates at start. */
export interface CompiledActivityConfig {
  target: { kind: 'arn'; arn: string } | { kind: 'create'; name: string };
  /** The queue's name, always set (defaults to the activity's name). */
  queue: string;
  polls?: number;
  maxWaiting?: number;
  resumeBelow?: number;
  enqueueDeadlineMs?: number;
  unhealthyAfterMs?: number;
  queuedHeartbeatIntervalMs?: number;
  fleetPolls?: number;
  jobOptions?: ActivityJobOptions;
}

/** What the service runs on. */
export interface ServiceConfig {
  workerName?: string;
  logLevel: LogLevel;
  /** `unsafeAllowEvictionPolicy` only when the file sets it to true. */
  redis: {
    url: string;
    prefix: string;
    cluster?: { nodes: string[]; options?: ClusterOptions };
    unsafeAllowEvictionPolicy?: true;
  };
  stepFunctions: { region?: string; endpoint?: string };
  http: { host: string; port: number; board: { enabled: boolean; readOnly: boolean } };
  drainTimeoutMs?: number;
  queuedHeartbeatsPerSecond?: number;
  queuedHeartbeatDutyTtlMs?: number;
  fleet?: FleetOptions;
  activities: CompiledActivityConfig[];
}
