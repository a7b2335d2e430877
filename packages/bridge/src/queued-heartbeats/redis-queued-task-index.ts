// The index of waiting tokens in Redis: a sorted set per queue, member the task token, score the epoch ms
// of its receipt or last queued heartbeat. Chosen over paging BullMQ's getters (docs/step-functions.md#queued-heartbeats):
// a sweep reads only the tokens that are due, oldest first, in O(log N + due), where `getJobs` ranges
// fetch and parse every waiting job's whole hash (input included) each time round.
import { jobIdForToken } from '@sfn-bullmq/protocol';
import type { Cluster, Redis } from 'ioredis';
import type { QueuedTaskIndex, QueuedTaskState } from './ports.js';

/** The sorted set's key, beside the queue's keys (same hash slot). Job ids cannot contain ':', so no job owns it. */
function queuedTaskIndexKey(prefix: string, queueName: string): string {
  return `${prefix}:${queueName}:sfn-bullmq:queued-heartbeats`;
}

export class RedisQueuedTaskIndex implements QueuedTaskIndex {
  readonly key: string;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
    private readonly queueName: string,
  ) {
    this.key = queuedTaskIndexKey(prefix, queueName);
  }

  /** Adds a token at its receipt time; a token already tracked keeps its time (an add retried). */
  async track(token: string, receivedAtMs: number): Promise<void> {
    await this.redis.zadd(this.key, 'NX', receivedAtMs, token);
  }

  due(atOrBeforeMs: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.key, '-inf', atOrBeforeMs, 'LIMIT', 0, limit);
  }

  async states(tokens: readonly string[]): Promise<QueuedTaskState[]> {
    if (tokens.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const token of tokens) {
      const jobKey = `${this.prefix}:${this.queueName}:${jobIdForToken(token)}`;
      // `timestamp` is set on every job; `finishedOn` once completed or failed; `:lock` while a worker holds it.
      pipeline.hmget(jobKey, 'timestamp', 'finishedOn');
      pipeline.exists(`${jobKey}:lock`);
    }
    const replies = (await pipeline.exec()) ?? [];
    return tokens.map((_, index) => {
      const [fieldsError, fields] = replies[index * 2] ?? [];
      const [lockError, locked] = replies[index * 2 + 1] ?? [];
      if (fieldsError !== null && fieldsError !== undefined) throw fieldsError;
      if (lockError !== null && lockError !== undefined) throw lockError;
      const [timestamp, finishedOn] = fields as (string | null)[];
      if (
        timestamp === null ||
        timestamp === undefined ||
        (finishedOn !== null && finishedOn !== undefined)
      ) {
        return 'gone';
      }
      return locked === 1 ? 'active' : 'queued';
    });
  }

  async touch(token: string, atMs: number): Promise<void> {
    await this.redis.zadd(this.key, 'XX', atMs, token);
  }

  async forget(token: string): Promise<void> {
    await this.redis.zrem(this.key, token);
  }

  size(): Promise<number> {
    return this.redis.zcard(this.key);
  }

  countBefore(beforeMs: number): Promise<number> {
    return this.redis.zcount(this.key, '-inf', `(${beforeMs}`);
  }
}
