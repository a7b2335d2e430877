// Keeps the bridge off a Redis that would lose jobs: reads maxmemory-policy and persistence at start and
// on every reconnect, and refuses adds (so tokens stay held, never stored to be evicted) while it may evict.
import { EventEmitter } from 'node:events';
import {
  evictionPolicyProblem,
  persistenceWarning,
  readRedisSettings,
  type RedisCommandCaller,
  type RedisEvictionPolicyError,
  type RedisPersistence,
  type RedisSettings,
  type RedisSettingsSource,
} from '@sfn-bullmq/protocol';
import type { Logger } from 'pino';
import type { ActivityJobQueue } from './ports.js';

/**
 * `unchecked` before the first read; `safe` on noeviction; `unsafe` when Redis may evict and the bridge
 * refuses it; `allowed` when it may evict but `unsafeAllowEvictionPolicy` is set.
 */
export type RedisSafetyState = 'unchecked' | 'safe' | 'unsafe' | 'allowed';

/** What the bridge last read of its Redis, for status pages and health checks. */
export interface RedisSafetyStatus {
  state: RedisSafetyState;
  evictionPolicy?: string;
  readVia?: RedisSettingsSource;
  /** 0 means no limit. */
  maxmemoryBytes?: number;
  persistence?: RedisPersistence;
  appendfsync?: string;
  /** Why the bridge refuses this Redis: the `RedisEvictionPolicyError`'s message. */
  problem?: string;
}

/** The connection the guard reads and watches; an ioredis `Redis` fits as it is. */
export interface WatchedRedis extends RedisCommandCaller {
  on(event: 'ready', listener: () => void): unknown;
  off(event: 'ready', listener: () => void): unknown;
}

export interface RedisGuardOptions {
  unsafeAllowEvictionPolicy: boolean;
  log: Logger;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * One per bridge connection. Emits 'unsafe' (RedisEvictionPolicyError) when a re-check finds an evicting
 * policy and 'safe' when a later one finds noeviction again. Cheap: a few commands per connect.
 */
export class RedisGuard extends EventEmitter {
  private settings: RedisSettings | undefined;
  private refusal: RedisEvictionPolicyError | undefined;
  /** A re-check under way after a reconnect: adds wait for its verdict. */
  private checking: Promise<void> | undefined;
  private watching = false;
  private closed = false;

  constructor(
    private readonly redis: WatchedRedis,
    private readonly options: RedisGuardOptions,
  ) {
    super();
  }

  /**
   * The check at start, on a connection that is ready. Rejects with `RedisEvictionPolicyError` when Redis
   * may evict (unless allowed); a connection lost meanwhile is retried on its next 'ready'. Resolves
   * without a verdict when `stop` settles first. Afterwards every reconnect is checked again.
   */
  async start(stop: Promise<void>): Promise<void> {
    for (;;) {
      try {
        await this.check('start');
        break;
      } catch (error) {
        if (this.closed) return;
        this.options.log.warn(
          { error: messageOf(error) },
          'could not read the Redis settings; trying again once it reconnects',
        );
        if ((await Promise.race([this.nextReady(), stop.then(() => 'stopped' as const)])) === 'stopped')
          return;
      }
    }
    if (this.refusal !== undefined) throw this.refusal;
    this.watching = true;
    this.redis.on('ready', this.onReady);
  }

  /** `queue` with adds that wait for a re-check in flight and fail while Redis may evict. */
  guard(queue: ActivityJobQueue): ActivityJobQueue {
    return {
      add: async (name, data, opts) => {
        if (this.checking !== undefined) await this.checking;
        if (this.refusal !== undefined) throw this.refusal;
        return queue.add(name, data, opts);
      },
      getJob: (jobId) => queue.getJob(jobId),
      getJobCounts: (...types) => queue.getJobCounts(...types),
    };
  }

  /** Whether the bridge may store tokens in this Redis now. */
  get acceptable(): boolean {
    return this.settings !== undefined && this.refusal === undefined;
  }

  status(): RedisSafetyStatus {
    const settings = this.settings;
    if (settings === undefined) return { state: 'unchecked' };
    const evicts = settings.evictionPolicy !== 'noeviction';
    const status: RedisSafetyStatus = {
      state: this.refusal !== undefined ? 'unsafe' : evicts ? 'allowed' : 'safe',
      evictionPolicy: settings.evictionPolicy,
      readVia: settings.readVia,
      persistence: settings.persistence,
    };
    if (settings.maxmemoryBytes !== undefined) status.maxmemoryBytes = settings.maxmemoryBytes;
    if (settings.appendfsync !== undefined) status.appendfsync = settings.appendfsync;
    if (this.refusal !== undefined) status.problem = this.refusal.message;
    return status;
  }

  /** Stops watching reconnects. Idempotent. */
  close(): void {
    this.closed = true;
    if (this.watching) this.redis.off('ready', this.onReady);
    this.watching = false;
  }

  private readonly onReady = (): void => {
    if (this.closed) return;
    const run: Promise<void> = this.check('reconnect')
      .catch((error: unknown) => {
        // The last verdict stands; the next 'ready' checks again.
        this.options.log.warn(
          { error: messageOf(error) },
          'could not read the Redis settings after a reconnect; checking again on the next one',
        );
      })
      .finally(() => {
        if (this.checking === run) this.checking = undefined;
      });
    this.checking = run;
  };

  private nextReady(): Promise<void> {
    return new Promise((resolve) => {
      const listener = (): void => {
        this.redis.off('ready', listener);
        resolve();
      };
      this.redis.on('ready', listener);
    });
  }

  /** Reads the settings and sets the verdict; rejects only when the connection failed. */
  private async check(when: 'start' | 'reconnect'): Promise<void> {
    const settings = await readRedisSettings(this.redis);
    if (this.closed) return;
    const { log, unsafeAllowEvictionPolicy } = this.options;
    const problem = evictionPolicyProblem(settings);
    const wasRefused = this.refusal !== undefined;
    this.settings = settings;
    const fields = {
      evictionPolicy: settings.evictionPolicy,
      readVia: settings.readVia,
      persistence: settings.persistence,
    };
    if (problem === undefined) {
      this.refusal = undefined;
      if (wasRefused) {
        log.info(fields, 'Redis runs with noeviction again: polling resumes');
        this.emit('safe');
      }
    } else if (unsafeAllowEvictionPolicy) {
      this.refusal = undefined;
      log.error(
        { ...fields, error: problem.message },
        'Redis may evict jobs and lose their tasks; running anyway because unsafeAllowEvictionPolicy is set',
      );
      if (wasRefused) this.emit('safe');
    } else {
      this.refusal = problem;
      log.error(
        { ...fields, error: problem.message },
        when === 'start'
          ? 'Redis may evict jobs: the bridge refuses to start'
          : 'Redis may evict jobs: opening no new polls and storing no tokens until it runs with noeviction',
      );
      if (when === 'reconnect') this.emit('unsafe', problem);
    }
    if (when === 'start') {
      const warning = persistenceWarning(settings);
      if (warning !== undefined) log.warn(fields, warning);
    }
  }
}
