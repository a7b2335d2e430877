// Watches one Redis connection of the bridge or a worker: reads maxmemory-policy and persistence at start
// and on every reconnect, keeps the verdict, logs it, and says when Redis turns unsafe or safe again.
import { EventEmitter } from 'node:events';
import {
  evictionPolicyProblem,
  persistenceWarning,
  readRedisSettings,
  type RedisSettingsReader,
  type RedisEvictionPolicyError,
  type RedisPersistence,
  type RedisSettings,
  type RedisSettingsSource,
} from './redis-safety.js';

/**
 * `unchecked` before the first read; `safe` on noeviction; `unsafe` when Redis may evict and is refused;
 * `allowed` when it may evict but `unsafeAllowEvictionPolicy` is set.
 */
export type RedisSafetyState = 'unchecked' | 'safe' | 'unsafe' | 'allowed';

/** What was last read of a Redis, for status pages and health checks. */
export interface RedisSafetyStatus {
  state: RedisSafetyState;
  evictionPolicy?: string;
  readVia?: RedisSettingsSource;
  /** 0 means no limit. */
  maxmemoryBytes?: number;
  persistence?: RedisPersistence;
  appendfsync?: string;
  /** Why this Redis is refused: the `RedisEvictionPolicyError`'s message. */
  problem?: string;
  /** On a cluster: the masters read (every one), and the one whose settings are shown (the worst). */
  cluster?: { masters: number; node: string };
}

/** The connection the monitor reads and watches; an ioredis `Redis` fits as it is. */
export type WatchedRedis = RedisSettingsReader & {
  on(event: 'ready', listener: () => void): unknown;
  off(event: 'ready', listener: () => void): unknown;
};

/** The log calls the monitor makes; a pino `Logger` fits as it is. */
export interface SafetyLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface RedisSafetyMonitorOptions {
  /** Run on a Redis that may evict, logging at error level at every check, instead of refusing it. */
  unsafeAllowEvictionPolicy: boolean;
  log: SafetyLogger;
  /** Who refuses, for the log lines: `'the bridge'`, `'the worker'`. */
  who: string;
  /** What stops while Redis is refused after a reconnect, e.g. `'opening no new polls'`. */
  whilePaused: string;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * One per connection. Emits 'unsafe' (RedisEvictionPolicyError) when a re-check after a reconnect finds
 * an evicting policy, and 'safe' when a later one finds noeviction again. A few commands per connect.
 */
export class RedisSafetyMonitor extends EventEmitter {
  private settings: RedisSettings | undefined;
  private refusal: RedisEvictionPolicyError | undefined;
  private checking: Promise<void> | undefined;
  private watching = false;
  private closed = false;

  constructor(
    private readonly redis: WatchedRedis,
    private readonly options: RedisSafetyMonitorOptions,
  ) {
    super();
  }

  /**
   * The check at start, on a connection that is ready. Rejects with `RedisEvictionPolicyError` when Redis
   * may evict (unless allowed); a connection lost meanwhile is retried on its next 'ready'. Resolves
   * without a verdict when `stop` settles first. Afterwards every reconnect is checked again.
   */
  async start(stop: Promise<unknown>): Promise<void> {
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
        const next = await Promise.race([this.nextReady(), stop.then(() => 'stopped' as const)]);
        if (next === 'stopped' || this.closed) return;
      }
    }
    if (this.closed) return;
    if (this.refusal !== undefined) throw this.refusal;
    this.watching = true;
    this.redis.on('ready', this.onReady);
  }

  /** Waits for a re-check in flight, then throws the refusal if Redis may evict. For each write that matters. */
  async verdict(): Promise<void> {
    if (this.checking !== undefined) await this.checking;
    if (this.refusal !== undefined) throw this.refusal;
  }

  /** Checked, and either safe or allowed. */
  get acceptable(): boolean {
    return this.settings !== undefined && this.refusal === undefined;
  }

  status(): RedisSafetyStatus {
    const settings = this.settings;
    if (settings === undefined) return { state: 'unchecked' };
    const evicts = evictionPolicyProblem(settings) !== undefined;
    const status: RedisSafetyStatus = {
      state: this.refusal !== undefined ? 'unsafe' : evicts ? 'allowed' : 'safe',
      evictionPolicy: settings.evictionPolicy,
      readVia: settings.readVia,
      persistence: settings.persistence,
    };
    if (settings.maxmemoryBytes !== undefined) status.maxmemoryBytes = settings.maxmemoryBytes;
    if (settings.appendfsync !== undefined) status.appendfsync = settings.appendfsync;
    if (settings.cluster !== undefined) status.cluster = settings.cluster;
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
    const { log, unsafeAllowEvictionPolicy, who, whilePaused } = this.options;
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
        log.info(fields, `Redis runs with noeviction again: ${who} resumes`);
        this.emit('safe');
      }
    } else if (unsafeAllowEvictionPolicy) {
      this.refusal = undefined;
      log.error(
        { ...fields, error: problem.message },
        `Redis may evict jobs and lose their tasks; ${who} runs anyway because unsafeAllowEvictionPolicy is set`,
      );
    } else {
      this.refusal = problem;
      log.error(
        { ...fields, error: problem.message },
        when === 'start'
          ? `Redis may evict jobs: ${who} refuses to start`
          : `Redis may evict jobs: ${who} is ${whilePaused} until it runs with noeviction`,
      );
      if (when === 'reconnect') this.emit('unsafe', problem);
    }
    if (when === 'start') {
      const warning = persistenceWarning(settings);
      if (warning !== undefined) log.warn(fields, warning);
    }
  }
}
