// The bridge: one ActivityPoller per activity ARN, their Step Functions clients,
// their BullMQ queues on one Redis connection, and a graceful, idempotent close().
// Over 400 lines on purpose: this is the one place that wires a pool's parts in start order (Redis safety,
// fleet lease, queued heartbeats, pollers) and unwinds them in close order, so both read top to bottom here.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  RedisSafetyMonitor,
  createPollingActivityClient,
  createSendActivityClient,
  isClusterConnectionOptions,
  type ActivityJobData,
  type RedisSafetyStatus,
  type SfnActivityClient,
} from '@sfn-bullmq/protocol';
import { Queue } from 'bullmq';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';
import { ActivityPoller, type ActivityStatus } from './activity-poller.js';
import { BridgeMetrics } from './bridge-metrics.js';
import { compileBridgeOptions, type BridgeOptions, type CompiledBridgeOptions } from './bridge-options.js';
import { realClock } from './clock.js';
import { FleetLease, type FleetStatus } from './fleet/fleet-lease.js';
import { FleetMetrics } from './fleet/fleet-metrics.js';
import { RedisFleetStore } from './fleet/fleet-store.js';
import type { ActivityJobQueue } from './ports.js';
import { QueuedHeartbeats, trackQueuedTokens } from './queued-heartbeats/queued-heartbeats.js';

export type BridgeState =
  | 'idle'
  | 'starting'
  | 'running'
  /** start() rejected (e.g. a Redis that may evict keys): no poll open; close() it. */
  | 'failed'
  | 'draining'
  | 'closed';

export interface BridgeStatus {
  state: BridgeState;
  workerName: string;
  /** The bridge's Redis connection is up and answering. */
  redisReady: boolean;
  /** Whether the Redis keeps jobs (maxmemory-policy noeviction) and what it persists; read at start and on each reconnect. */
  redisSafety: RedisSafetyStatus;
  activities: BridgeActivityStatus[];
}

/** A pool's status, with its place in the fleet of its ARN when the bridges coordinate (`fleet.enabled`). */
export interface BridgeActivityStatus extends ActivityStatus {
  fleet?: FleetStatus;
}

interface Pool {
  poller: ActivityPoller;
  queue: Queue<ActivityJobData>;
  pollingClient: SfnActivityClient;
  /** Its share of the ARN's fleet budget, unless `fleet.enabled` is false. */
  lease?: FleetLease;
}

const REDIS_ERROR_LOG_INTERVAL_MS = 5_000;

/** The bridge's logger: the caller's, or pino at info as the worker's; with `component: 'bridge'` once. */
function bridgeLogger(given: Logger | undefined): Logger {
  const logger = given ?? pino({ name: 'sfn-bullmq-bridge' });
  return 'component' in logger.bindings() ? logger : logger.child({ component: 'bridge' });
}

function isRedisInstance(connection: BridgeOptions['connection']): connection is Redis | Cluster {
  const candidate = connection as { connect?: unknown; status?: unknown };
  return typeof candidate.connect === 'function' && typeof candidate.status === 'string';
}

/**
 * Polls every configured activity and turns each task token into one BullMQ job.
 * Emits 'stateChange' (state), 'activityStateChange' (an `ActivityStatus`, e.g. a pool turning
 * `failing` when no poll has worked for `unhealthyAfterMs`, and back) and 'error' (a cleanup step
 * that failed in close()).
 */
export class Bridge extends EventEmitter {
  readonly registry: Registry;
  private readonly options: CompiledBridgeOptions;
  private readonly log: Logger;
  private currentState: BridgeState = 'idle';
  private starting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private redis: Redis | Cluster | undefined;
  private redisSafety: RedisSafetyMonitor | undefined;
  private ownsRedis = false;
  private sendClient: SfnActivityClient | undefined;
  private pools: Pool[] = [];
  private queuedHeartbeats: QueuedHeartbeats | undefined;
  private lastRedisErrorLogAt = 0;

  constructor(options: BridgeOptions) {
    super();
    this.options = compileBridgeOptions(options);
    this.registry = this.options.registry ?? new Registry();
    this.log = bridgeLogger(this.options.logger);
  }

  get state(): BridgeState {
    return this.currentState;
  }

  /**
   * Connects to Redis, then opens every pool's polls. Resolves once polling; waits for Redis as long as it
   * takes (close() cuts it short). Rejects with `RedisEvictionPolicyError`, before any poll opens, when Redis
   * may evict keys (unless `unsafeAllowEvictionPolicy`); the state is then `failed` and close() releases what start opened.
   */
  start(): Promise<void> {
    if (this.closing !== undefined) return Promise.reject(new Error('Bridge: start() after close()'));
    this.starting ??= this.doStart().catch((error: unknown) => {
      // A close() during start makes start resolve, never reject; so this is start's own failure.
      if (this.closing === undefined) {
        this.log.error({ err: error }, 'bridge failed to start');
        this.setState('failed');
      }
      throw error;
    });
    return this.starting;
  }

  private async doStart(): Promise<void> {
    this.setState('starting');
    const { connection, prefix, sfn, workerName, pollRequestTimeoutMs } = this.options;
    this.redis = this.connect(connection);
    const redisSafety = new RedisSafetyMonitor(this.redis, {
      unsafeAllowEvictionPolicy: this.options.unsafeAllowEvictionPolicy,
      log: this.log,
      who: 'the bridge',
      whilePaused: 'opening no new polls and storing no tokens',
    });
    this.redisSafety = redisSafety;
    // Failure reports have their own sockets, so 1,000 open polls can never starve them.
    this.sendClient = createSendActivityClient(sfn);
    const metrics = new BridgeMetrics(this.registry);
    const reporter = this.sendClient;
    // The pools log as the bridge does (one `component`, however the logger came).
    const logger = this.log;
    const pollDescription = `GetActivityTask to ${sfn.endpoint ?? `Step Functions in ${sfn.region ?? 'the region from the AWS chain'}`}`;
    for (const activity of this.options.activities) {
      const queue = new Queue<ActivityJobData>(activity.queueName, { connection: this.redis, prefix });
      queue.on('error', (error: Error) => this.onRedisError(error));
      // Each pool has its own client, so its agents are sized for its own polls (docs/aws-sdk.md#sockets-per-origin).
      const pollingClient = createPollingActivityClient({
        ...sfn,
        maxConcurrentPolls: activity.polls,
        pollRequestTimeoutMs,
      });
      const poller = new ActivityPoller(activity, {
        source: pollingClient,
        reporter,
        // Adds wait for a reconnect's check and fail while Redis may evict: the token is held, not lost.
        queue: this.guardedQueue(trackQueuedTokens(this.redis, prefix, activity, queue), redisSafety),
        workerName,
        logger,
        metrics,
        pollDescription,
        tokenObserver: this.options.tokenObserver,
      });
      this.pools.push({ poller, queue, pollingClient });
    }
    // Heartbeats for tokens waiting in Redis (docs/step-functions.md#queued-heartbeats), on a client of their own.
    this.queuedHeartbeats = new QueuedHeartbeats({
      redis: this.redis,
      prefix,
      workerName,
      sfn,
      budget: this.options.queuedHeartbeats,
      logger,
      registry: this.registry,
      queues: this.options.activities.map((activity, i) => ({ ...activity, remover: this.pools[i]!.queue })),
    });
    this.joinFleets(this.redis, logger);
    // Polls open only once Redis answers, so no token is taken that could not be stored.
    const ready = Promise.all(this.pools.map(({ queue }) => queue.waitUntilReady())).then(
      () => 'ready' as const,
    );
    ready.catch(() => undefined);
    const outcome = await Promise.race([ready, this.closedSignal.then(() => 'closed' as const)]);
    if (outcome === 'closed' || this.closing !== undefined) return;
    await this.checkRedisSafety(redisSafety);
    if (this.closing !== undefined) return;
    // Each pool polls only once its share is granted: a bridge joining a full fleet opens nothing.
    await Promise.all(this.pools.flatMap(({ lease }) => (lease === undefined ? [] : [lease.start()])));
    if (this.closing !== undefined) return;
    for (const { poller } of this.pools) {
      poller.start();
      // From here on: a pool's start ('idle' → 'running') is the bridge's own 'running', not news.
      poller.on('stateChange', () => this.emit('activityStateChange', poller.status()));
    }
    this.queuedHeartbeats.start();
    this.setState('running');
    this.log.info(
      {
        workerName,
        activities: this.options.activities.map((a) => ({
          arn: a.activityArn,
          queue: a.queueName,
          polls: a.polls,
        })),
      },
      'bridge running',
    );
  }

  /** One lease per pool in the fleet of its ARN (docs/architecture.md#fleet); the pool polls under its share. */
  private joinFleets(redis: Redis | Cluster, logger: Logger): void {
    const { fleet, workerName } = this.options;
    if (!fleet.enabled) return;
    const store = new RedisFleetStore(redis);
    const gauges = new FleetMetrics(this.registry);
    // Unique per process: two bridges may share a worker name, and a restart must not inherit a dead lease.
    const id = `${workerName}#${randomUUID().slice(0, 8)}`;
    this.options.activities.forEach((activity, index) => {
      const pool = this.pools[index]!;
      const { poller } = pool;
      pool.lease = new FleetLease({
        store,
        activityArn: activity.activityArn,
        id,
        cap: activity.polls,
        budget: activity.fleetPolls,
        options: fleet,
        clock: realClock,
        log: logger.child({ activity: activity.activityName, queue: activity.queueName }),
        openPolls: () => poller.openPolls,
        onCeiling: (ceiling) => poller.setPollCeiling(ceiling),
        metrics: { gauges, labels: { activity: activity.activityName, queue: activity.queueName } },
      });
    });
  }

  /**
   * Refuses (start() rejects with RedisEvictionPolicyError) a Redis that may evict keys, before any poll
   * opens, so no token is taken that could be lost; then pauses and resumes the pools as reconnects find it.
   */
  private async checkRedisSafety(redisSafety: RedisSafetyMonitor): Promise<void> {
    await redisSafety.start(this.closedSignal);
    redisSafety.on('unsafe', (error: Error) => {
      for (const { poller } of this.pools) poller.pause(error.message);
    });
    redisSafety.on('safe', () => {
      for (const { poller } of this.pools) poller.resume();
    });
  }

  /** `queue` with adds that wait for a reconnect's check and fail while Redis may evict: the token stays held. */
  private guardedQueue(queue: ActivityJobQueue, redisSafety: RedisSafetyMonitor): ActivityJobQueue {
    return {
      add: async (name, data, opts) => {
        await redisSafety.verdict();
        return queue.add(name, data, opts);
      },
      getJob: (jobId) => queue.getJob(jobId),
      getJobCounts: (...types) => queue.getJobCounts(...types),
    };
  }

  private signalClosed: () => void = () => undefined;
  private readonly closedSignal = new Promise<void>((resolve) => (this.signalClosed = resolve));

  private connect(connection: BridgeOptions['connection']): Redis | Cluster {
    if (isRedisInstance(connection)) {
      connection.on('error', (error: Error) => this.onRedisError(error));
      return connection;
    }
    // Adds issued in one turn of the event loop (many polls return together under load) go to Redis
    // in one write instead of one each: profiled, a write per add was a tenth of the bridge's CPU.
    // A producer must fail fast when Redis is away: the pool then holds the token, stops polling and
    // retries on its own schedule with a deadline. With the offline queue on, an add would wait
    // silently for a reconnect.
    const failFast = { enableOfflineQueue: false, maxRetriesPerRequest: 1 } as const;
    const retryStrategy = (times: number) => Math.min(100 * times, 2_000);
    this.ownsRedis = true;
    let redis: Redis | Cluster;
    if (isClusterConnectionOptions(connection)) {
      const { nodes, options = {} } = connection.cluster;
      // A failed-over master's slots move to its replica: ioredis follows MOVED and refreshes the slot
      // map; an add caught in between fails, and the pool holds its token and retries it.
      redis = new Cluster([...nodes], {
        enableAutoPipelining: true,
        ...options,
        enableOfflineQueue: failFast.enableOfflineQueue,
        clusterRetryStrategy: retryStrategy,
        redisOptions: { ...options.redisOptions, maxRetriesPerRequest: failFast.maxRetriesPerRequest },
      });
    } else {
      const { url, ...rest } = connection as RedisOptions & { url?: string };
      const options: RedisOptions = { enableAutoPipelining: true, ...rest, ...failFast, retryStrategy };
      redis = url === undefined ? new Redis(options) : new Redis(url, options);
    }
    redis.on('error', (error: Error) => this.onRedisError(error));
    return redis;
  }

  private onRedisError(error: Error): void {
    const now = Date.now();
    if (now - this.lastRedisErrorLogAt < REDIS_ERROR_LOG_INTERVAL_MS) return;
    this.lastRedisErrorLogAt = now;
    this.log.warn({ error: error.message }, 'Redis connection error');
  }

  status(): BridgeStatus {
    return {
      state: this.currentState,
      workerName: this.options.workerName,
      redisReady: this.redis?.status === 'ready',
      redisSafety: this.redisSafety?.status() ?? { state: 'unchecked' },
      activities: this.pools.map(({ poller, lease }) =>
        lease === undefined ? poller.status() : { ...poller.status(), fleet: lease.status() },
      ),
    };
  }

  /** Running, Redis reachable, and every pool doing its work. */
  isReady(): boolean {
    return this.notReadyReason() === undefined;
  }

  /** Why `isReady()` is false (the first cause found), or undefined when ready. */
  notReadyReason(): string | undefined {
    const status = this.status();
    if (status.state !== 'running') return `bridge ${status.state}`;
    if (!status.redisReady) return 'Redis is not reachable';
    if (this.redisSafety?.acceptable !== true) {
      return `Redis refused: ${status.redisSafety.problem ?? status.redisSafety.state}`;
    }
    const sick = status.activities.find((a) => !a.healthy);
    return sick === undefined ? undefined : `activity ${sick.activityArn}: ${sick.reason ?? sick.state}`;
  }

  /**
   * Stops opening polls, waits (up to drainTimeoutMs) for the open ones to return
   * and their tokens to be stored, then closes queues, Redis and the clients.
   * Never aborts a poll in flight unless `force`; a forced close during a
   * graceful one cuts its wait short. Idempotent; every step runs even if one fails.
   */
  close(options: { force?: boolean } = {}): Promise<void> {
    if (this.closing !== undefined) {
      if (options.force === true) for (const { poller } of this.pools) void poller.close({ force: true });
      return this.closing;
    }
    this.closing = this.doClose(options.force === true);
    return this.closing;
  }

  private async doClose(force: boolean): Promise<void> {
    if (this.currentState === 'idle') {
      this.setState('closed');
      return;
    }
    this.setState('draining');
    this.signalClosed();
    this.redisSafety?.close();
    const { drainTimeoutMs } = this.options;
    for (const { lease } of this.pools) lease?.beginDrain();
    const results = await Promise.allSettled(
      this.pools.map(({ poller }) => poller.close({ force, drainTimeoutMs })),
    );
    let abandonedPolls = 0;
    let abandonedTokens = 0;
    let reportedOnClose = 0;
    for (const result of results) {
      if (result.status === 'fulfilled') {
        abandonedPolls += result.value.abandonedPolls;
        abandonedTokens += result.value.abandonedTokens;
        reportedOnClose += result.value.reportedOnClose;
      } else {
        this.reportCloseError('closing a pool', result.reason);
      }
    }
    if (abandonedPolls > 0 || abandonedTokens > 0 || reportedOnClose > 0) {
      this.log.warn(
        { abandonedPolls, abandonedTokens, reportedOnClose, force },
        'bridge closed with polls abandoned or tokens unstored (reportedOnClose: failed with SendTaskFailure)',
      );
    }
    // Waiting jobs keep their heartbeats while the pools drain; then the duty goes to another bridge.
    await this.step('closing queued heartbeats', () => this.queuedHeartbeats?.close());
    // Drained: the share is free at once (polls a timed-out drain left open count until they may have ended).
    await this.step('leaving the fleet', () =>
      Promise.all(this.pools.flatMap(({ lease }) => (lease === undefined ? [] : [lease.close()]))),
    );
    await this.step('closing queues', () => Promise.all(this.pools.map(({ queue }) => queue.close())));
    if (this.ownsRedis && this.redis !== undefined) {
      const redis = this.redis;
      await this.step('closing the Redis connection', async () => {
        if (redis.status === 'ready') await redis.quit();
        else redis.disconnect();
      });
    }
    // The pools are drained: a poll still in flight now was abandoned above (and logged), so
    // its sockets go. Failure reports still in flight finish unless the close is forced.
    const sendClient = this.sendClient;
    await this.step('closing Step Functions clients', () =>
      Promise.all([
        ...this.pools.map(({ pollingClient }) => pollingClient.close({ force: true })),
        sendClient?.close({ force }),
      ]),
    );
    this.setState('closed');
  }

  private async step(what: string, run: () => unknown): Promise<void> {
    try {
      await run();
    } catch (error) {
      this.reportCloseError(what, error);
    }
  }

  private reportCloseError(what: string, error: unknown): void {
    this.log.error({ err: error }, `close: ${what} failed`);
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  private setState(next: BridgeState): void {
    if (next === this.currentState) return;
    const previous = this.currentState;
    this.currentState = next;
    this.log.info({ from: previous, to: next }, 'bridge state changed');
    this.emit('stateChange', next);
  }
}
