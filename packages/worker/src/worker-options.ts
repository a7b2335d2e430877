// Options of `ActivityWorker`: the processor's, plus the BullMQ worker's with
// defaults chosen so a crashed worker's job is re-run or re-sent, not failed.
import {
  isClusterConnection,
  queueSlotIssue,
  redisConnectionIssues,
  type RedisClusterConnectionOptions,
} from '@sfn-bullmq/protocol';
import type { ConnectionOptions } from 'bullmq';
import type { ClusterOptions } from 'ioredis';
import {
  InvalidWorkerOptionError,
  checkBoolean,
  checkDurationMs,
  checkInteger,
} from './invalid-worker-option-error.js';
import {
  compileActivityProcessorOptions,
  type ActivityProcessorOptions,
  type CompiledActivityProcessorOptions,
} from './processor-options.js';

/**
 * A Redis Cluster: startup `nodes` and ioredis `ClusterOptions`; TLS and auth go in `options.redisOptions`,
 * as for one node. See docs/bullmq-redis.md#redis-cluster.
 */
export type WorkerClusterConnection = RedisClusterConnectionOptions<ClusterOptions>;

export interface ActivityWorkerOptions extends ActivityProcessorOptions {
  /**
   * The Redis connection: BullMQ's ConnectionOptions (ioredis options or a `Redis`/`Cluster` instance) or a
   * cluster to open, `{ cluster: { nodes, options } }`.
   */
  connection: ConnectionOptions | WorkerClusterConnection;
  /**
   * BullMQ key prefix; the bridge's must match. On Redis Cluster the queue name (`{orders}`) or the prefix
   * must carry a hash tag, so a queue's keys share one slot. @default 'bull'
   */
  prefix?: string;
  /** Handlers running at once in this worker. @default 10 */
  concurrency?: number;
  /**
   * BullMQ job lock; renewed at half. A crashed worker's job is recovered about `lockDurationMs +
   * stalledIntervalMs` after the crash: keep that well under your HeartbeatSeconds. @default 30_000
   */
  lockDurationMs?: number;
  /** How often BullMQ looks for jobs whose lock expired (a crashed worker's). @default 15_000 */
  stalledIntervalMs?: number;
  /**
   * How many times a job may be recovered from a crashed worker before BullMQ fails it. Above BullMQ's 1,
   * so one unlucky restart does not fail a task whose outcome is already stored. @default 3
   */
  maxStalledCount?: number;
  /**
   * On `close({ force: true })`, report running tasks as failed (`SfnBullmq.WorkerShutdown`) instead of
   * leaving them: a left task's job is re-run by another worker after its lock expires, or Step Functions'
   * heartbeat timeout closes the task. @default false
   */
  failOnForcedClose?: boolean;
  /**
   * Take jobs from a Redis whose `maxmemory-policy` is not `noeviction`, logging the danger at error level
   * at each check, instead of refusing it. Evicted jobs lose their tasks silently: only for those who know why.
   * @default false
   */
  unsafeAllowEvictionPolicy?: boolean;
}

export interface CompiledActivityWorkerOptions {
  processor: CompiledActivityProcessorOptions;
  connection: ConnectionOptions | WorkerClusterConnection;
  prefix: string;
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
  failOnForcedClose: boolean;
  unsafeAllowEvictionPolicy: boolean;
}

export function compileActivityWorkerOptions(
  queueName: string,
  options: ActivityWorkerOptions,
): CompiledActivityWorkerOptions {
  if (typeof queueName !== 'string' || queueName === '' || queueName.includes(':')) {
    throw new InvalidWorkerOptionError('queueName', queueName, "must be a non-empty string without ':'");
  }
  if (typeof options !== 'object' || options === null) {
    throw new InvalidWorkerOptionError('options', options, 'must be an object');
  }
  const connectionIssues = redisConnectionIssues(options.connection);
  if (connectionIssues.length > 0) throw InvalidWorkerOptionError.fromIssues(connectionIssues);
  const prefix = options.prefix ?? 'bull';
  if (typeof prefix !== 'string' || prefix === '') {
    throw new InvalidWorkerOptionError('prefix', prefix, 'must be a non-empty string');
  }
  if (isClusterConnection(options.connection)) {
    const issue = queueSlotIssue(prefix, queueName, { prefix: 'prefix', queueName: 'queueName' });
    if (issue !== undefined) throw InvalidWorkerOptionError.fromIssues([issue]);
  }
  const concurrency = checkInteger('concurrency', options.concurrency ?? 10, 1, 10_000);
  const lockDurationMs = checkDurationMs('lockDurationMs', options.lockDurationMs ?? 30_000, 100, 3_600_000);
  const stalledIntervalMs = checkDurationMs(
    'stalledIntervalMs',
    options.stalledIntervalMs ?? 15_000,
    100,
    3_600_000,
  );
  const maxStalledCount = checkInteger('maxStalledCount', options.maxStalledCount ?? 3, 0, 1_000);
  const failOnForcedClose = checkBoolean('failOnForcedClose', options.failOnForcedClose ?? false);
  const unsafeAllowEvictionPolicy = checkBoolean(
    'unsafeAllowEvictionPolicy',
    options.unsafeAllowEvictionPolicy ?? false,
  );
  // Last, because it may build a Step Functions client (with sockets) that a later bad option would leak.
  const processor = compileActivityProcessorOptions(options);
  return {
    processor,
    connection: options.connection,
    prefix,
    concurrency,
    lockDurationMs,
    stalledIntervalMs,
    maxStalledCount,
    failOnForcedClose,
    unsafeAllowEvictionPolicy,
  };
}
