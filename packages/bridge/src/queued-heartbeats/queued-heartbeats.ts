// The bridge's queued heartbeats: one scheduler per queue whose activity has them on, one budget and one
// Step Functions client for all, and the index each stored token enters (docs/step-functions.md#queued-heartbeats).
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  createSendActivityClient,
  type ActivityJobData,
  type SfnConnectionOptions,
} from '@sfn-bullmq/protocol';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { realClock, type Clock } from '../clock.js';
import type { ActivityJobQueue } from '../ports.js';
import { HeartbeatBudget } from './heartbeat-budget.js';
import type { CompiledQueuedHeartbeatBridgeOptions } from './queued-heartbeat-options.js';
import { QueuedHeartbeatMetrics } from './queued-heartbeat-metrics.js';
import { QueuedHeartbeatScheduler } from './queued-heartbeat-scheduler.js';
import { RedisDutyLock } from './redis-duty-lock.js';
import { RedisQueuedTaskIndex } from './redis-queued-task-index.js';
import type { HeartbeatSender, JobRemover } from './ports.js';

export type QueuedHeartbeatsState = 'idle' | 'running' | 'closed';

interface QueuedHeartbeatQueue {
  activityName: string;
  queueName: string;
  /** 0: off for this queue. */
  queuedHeartbeatIntervalMs: number;
  /** Its BullMQ queue (a `Queue` fits): removes swept jobs. */
  remover: JobRemover;
}

export interface QueuedHeartbeatsOptions {
  redis: Redis | Cluster;
  prefix: string;
  /** Names the duty's holder (with a random suffix, so two bridges of one name differ). */
  workerName: string;
  queues: readonly QueuedHeartbeatQueue[];
  budget: CompiledQueuedHeartbeatBridgeOptions;
  logger: Logger;
  registry: Registry;
  /** Step Functions for the bridge's own heartbeat client; or `sender` instead. */
  sfn?: SfnConnectionOptions;
  /** @default a send client of its own with one attempt per call (see `start`) */
  sender?: HeartbeatSender;
  clock?: Clock;
}

/**
 * `queue` whose adds also enter the token in its queue's index (at its receipt time), in the same
 * pipeline: an add fails if either fails, and the pool retries it (both are idempotent). `queue` itself
 * when the activity has queued heartbeats off.
 */
export function trackQueuedTokens(
  redis: Redis | Cluster,
  prefix: string,
  activity: { queueName: string; queuedHeartbeatIntervalMs: number },
  queue: ActivityJobQueue,
): ActivityJobQueue {
  if (activity.queuedHeartbeatIntervalMs <= 0) return queue;
  const index = new RedisQueuedTaskIndex(redis, prefix, activity.queueName);
  return {
    add: async (name, data: ActivityJobData, opts) => {
      const [, job] = await Promise.all([
        index.track(data.taskToken, data.receivedAt),
        queue.add(name, data, opts),
      ]);
      return job;
    },
    getJob: (jobId) => queue.getJob(jobId),
    getJobCounts: (...types) => queue.getJobCounts(...types),
  };
}

/** Emits 'stateChange' (the new state). `close()` is idempotent. */
export class QueuedHeartbeats extends EventEmitter {
  private currentState: QueuedHeartbeatsState = 'idle';
  private readonly indexes = new Map<string, RedisQueuedTaskIndex>();
  private readonly schedulers = new Map<string, QueuedHeartbeatScheduler>();
  private ownClient: { close(options?: { force?: boolean }): Promise<void> } | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: QueuedHeartbeatsOptions) {
    super();
    for (const queue of options.queues) {
      if (queue.queuedHeartbeatIntervalMs > 0) {
        this.indexes.set(
          queue.queueName,
          new RedisQueuedTaskIndex(options.redis, options.prefix, queue.queueName),
        );
      }
    }
  }

  get state(): QueuedHeartbeatsState {
    return this.currentState;
  }

  /** Starts every queue's scheduler (after the pools, so it never delays a poll). */
  start(): void {
    if (this.currentState !== 'idle') return;
    const { options } = this;
    const clock = options.clock ?? realClock;
    const sender = options.sender ?? this.createSender();
    const budget = new HeartbeatBudget(options.budget.perSecond, clock);
    const metrics = new QueuedHeartbeatMetrics(options.registry);
    const owner = `${options.workerName}:${randomUUID()}`;
    for (const queue of options.queues) {
      const index = this.indexes.get(queue.queueName);
      if (index === undefined) continue;
      const scheduler = new QueuedHeartbeatScheduler(
        {
          index,
          lock: new RedisDutyLock(
            options.redis,
            options.prefix,
            queue.queueName,
            owner,
            options.budget.dutyTtlMs,
          ),
          sender,
          remover: queue.remover,
          budget,
          clock,
          logger: options.logger,
          metrics,
          labels: { activity: queue.activityName, queue: queue.queueName },
        },
        { intervalMs: queue.queuedHeartbeatIntervalMs },
      );
      scheduler.start();
      this.schedulers.set(queue.queueName, scheduler);
    }
    this.setState('running');
  }

  /** Stops every scheduler (waiting for heartbeats in flight), gives the duties up, closes its client. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.schedulers.values()].map((scheduler) => scheduler.close()));
      await this.ownClient?.close();
      this.setState('closed');
    })();
    return this.closing;
  }

  private createSender(): HeartbeatSender {
    if (this.options.sfn === undefined) throw new TypeError('QueuedHeartbeats: give sfn or sender');
    // Its own sockets, apart from the polls and from the failure reports; one attempt per call, since a
    // retried throttled heartbeat would spend the account's bucket behind the budget's back.
    const client = createSendActivityClient({ ...this.options.sfn, maxAttempts: 1 });
    this.ownClient = client;
    return client;
  }

  private setState(next: QueuedHeartbeatsState): void {
    if (next === this.currentState) return;
    this.currentState = next;
    this.emit('stateChange', next);
  }
}
