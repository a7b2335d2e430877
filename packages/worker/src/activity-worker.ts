// `ActivityWorker`: a BullMQ Worker on one activity queue with the runner, the
// Step Functions client and crash-safe lock settings; an idempotent close that can escalate to forced.
import { EventEmitter } from 'node:events';
import {
  RedisSafetyMonitor,
  isClusterConnectionOptions,
  isRedisEvictionPolicyError,
  type ActivityJobData,
  type RedisSafetyStatus,
  type SfnActivityClient,
} from '@sfn-bullmq/protocol';
import { WaitingError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { Cluster } from 'ioredis';
import type { ActivityHandler } from './activity-context.js';
import { ActivityRunner } from './activity-runner.js';
import type { ActivityJobResult } from './job-end.js';
import { InvalidWorkerOptionError } from './invalid-worker-option-error.js';
import { openTaskSender } from './task-sender.js';
import {
  compileActivityWorkerOptions,
  type ActivityWorkerOptions,
  type CompiledActivityWorkerOptions,
} from './worker-options.js';

/**
 * BullMQ takes a cluster only as a client: this opens one for `{ cluster }` options, with what BullMQ's
 * blocking connection needs on every node (maxRetriesPerRequest: null). BullMQ duplicates it for its
 * blocking connection and closes that; the one opened here is closed by the worker's close().
 */
function openConnection(connection: CompiledActivityWorkerOptions['connection']): {
  connection: ConnectionOptions;
  owned: Cluster | undefined;
} {
  if (!isClusterConnectionOptions(connection)) return { connection: connection, owned: undefined };
  const { nodes, options = {} } = connection.cluster;
  const cluster = new Cluster([...nodes], {
    ...options,
    redisOptions: { ...options.redisOptions, maxRetriesPerRequest: null },
  });
  return { connection: cluster, owned: cluster };
}

/**
 * Lifecycle of an `ActivityWorker`, logged once on each change and emitted as 'stateChange': `starting`
 * until Redis is connected and checked; `paused` while a reconnect found a Redis that may evict jobs (no
 * new jobs are taken); `failed` when the start failed (e.g. Redis refused for its eviction policy), after
 * which the worker closes itself (`closing`, `closed`).
 */
export type ActivityWorkerState = 'starting' | 'running' | 'paused' | 'failed' | 'closing' | 'closed';

/** The longest a forced close waits for failure reports (`failOnForcedClose`). */
const FORCED_REPORT_TIMEOUT_MS = 10_000;

/**
 * Runs `handler` for the jobs of one activity queue. Takes no job from a Redis that may evict it (see
 * `waitUntilReady()`). Events: 'stateChange' (ActivityWorkerState) and 'error' (Redis and close errors, and the
 * `RedisEvictionPolicyError` of a refused start; only emitted when someone listens, and always logged).
 */
export class ActivityWorker<I = unknown, O = unknown> extends EventEmitter {
  readonly worker: Worker;
  private readonly options: CompiledActivityWorkerOptions;
  private readonly runner: ActivityRunner<I, O>;
  #state: ActivityWorkerState = 'starting';
  private closing: Promise<void> | undefined;
  /** The activity client opened for connection options; undefined when the caller gave a sender. */
  private readonly ownedClient: SfnActivityClient | undefined;
  private forcing: Promise<void> | undefined;
  private readonly started: Promise<void>;
  private redisSafetyMonitor: RedisSafetyMonitor | undefined;
  /** The cluster client opened for `{ cluster }` options; undefined when the caller gave options or a client. */
  private readonly ownedRedis: Cluster | undefined;
  private signalClosed: () => void = () => undefined;
  private readonly closedSignal = new Promise<void>((resolve) => (this.signalClosed = resolve));

  constructor(
    readonly queueName: string,
    handler: ActivityHandler<I, O>,
    options: ActivityWorkerOptions,
  ) {
    super();
    if (typeof handler !== 'function')
      throw new InvalidWorkerOptionError('handler', handler, 'must be a function');
    this.options = compileActivityWorkerOptions(queueName, options);
    // The Send* client opens here, where the worker starts, and closes with it (compiling stays pure).
    const { sender, ownedClient } = openTaskSender(this.options.processor.sfn);
    this.ownedClient = ownedClient;
    this.runner = new ActivityRunner(handler, { ...this.options.processor, sender });
    const { connection, owned } = openConnection(this.options.connection);
    this.ownedRedis = owned;
    owned?.on('error', (error: Error) => this.reportError(error, 'Redis Cluster connection error'));
    for (const observer of this.options.processor.observers)
      observer.workerStarted?.({ queueName, concurrency: this.options.concurrency });
    this.worker = new Worker<ActivityJobData, ActivityJobResult>(
      queueName,
      (job, token, signal) => this.processWhenSafe(job, token, signal),
      {
        connection,
        prefix: this.options.prefix,
        concurrency: this.options.concurrency,
        lockDuration: this.options.lockDurationMs,
        stalledInterval: this.options.stalledIntervalMs,
        maxStalledCount: this.options.maxStalledCount,
        // Runs only once Redis is known to keep jobs (startWhenSafe).
        autorun: false,
      },
    );
    this.worker.on('error', (error) => this.reportError(error, 'BullMQ worker error'));
    this.log.info(
      { queue: queueName, concurrency: this.options.concurrency, state: this.#state },
      'activity worker starting',
    );
    this.started = this.startWhenSafe();
    this.started.catch(() => undefined);
  }

  get state(): ActivityWorkerState {
    return this.#state;
  }

  /** Handlers running now. */
  get runningCount(): number {
    return this.runner.runningCount;
  }

  /** Handlers let go after ignoring their aborted signal past `abandonHandlerAfterMs` (for metrics). */
  get abandonedHandlerCount(): number {
    return this.runner.abandonedHandlerCount;
  }

  /**
   * Resolves once the worker is connected and takes jobs. Rejects with `RedisEvictionPolicyError` (the
   * worker then closes itself) when Redis may evict jobs and `unsafeAllowEvictionPolicy` is not set.
   */
  async waitUntilReady(): Promise<void> {
    await this.started;
  }

  /** Whether the Redis keeps jobs (maxmemory-policy noeviction) and what it persists; read at start and on each reconnect. */
  redisSafety(): RedisSafetyStatus {
    return this.redisSafetyMonitor?.status() ?? { state: 'unchecked' };
  }

  /**
   * Checks the Redis before the BullMQ worker runs, so no job is taken from a Redis that may evict it;
   * then pauses the worker while a reconnect finds such a Redis, and resumes it once it is fixed.
   */
  private async startWhenSafe(): Promise<void> {
    let monitor: RedisSafetyMonitor;
    try {
      await this.worker.waitUntilReady();
      const client = await this.worker.getBackend().client;
      if (this.closing !== undefined) return;
      monitor = new RedisSafetyMonitor(client, {
        unsafeAllowEvictionPolicy: this.options.unsafeAllowEvictionPolicy,
        log: this.log.child({ queue: this.queueName }),
        who: 'the worker',
        whilePaused: 'taking no new jobs',
      });
      this.redisSafetyMonitor = monitor;
      await monitor.start(this.closedSignal);
    } catch (error) {
      if (this.closing !== undefined && !isRedisEvictionPolicyError(error)) return;
      this.setState('failed');
      // The monitor has logged the refusal at error level.
      if (this.listenerCount('error') > 0) this.emit('error', error);
      await this.close();
      throw error;
    }
    if (this.closing !== undefined) return;
    monitor.on('unsafe', () => this.pauseForRedis());
    monitor.on('safe', () => this.resumeForRedis());
    this.worker.run().catch((error: unknown) => this.reportError(error, 'the BullMQ worker stopped'));
    this.setState('running');
  }

  /**
   * BullMQ finishes a blocking fetch that was under way when the worker paused, so a job can still arrive
   * while Redis is refused: it goes back to wait untouched (no attempt used, no handler run) until resumed.
   */
  private async processWhenSafe(
    job: Job<ActivityJobData>,
    token: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<ActivityJobResult> {
    try {
      await this.redisSafetyMonitor?.verdict();
    } catch (error) {
      if (isRedisEvictionPolicyError(error) && token !== undefined) {
        await job.moveToWait(token);
        throw new WaitingError();
      }
      throw error;
    }
    return this.runner.process(job, token, signal);
  }

  private pauseForRedis(): void {
    if (this.#state !== 'running') return;
    this.setState('paused');
    // Running handlers finish and report; only new jobs wait.
    this.worker.pause(true).catch((error: unknown) => this.reportError(error, 'pausing the worker failed'));
  }

  private resumeForRedis(): void {
    if (this.#state !== 'paused') return;
    this.setState('running');
    this.worker.resume().catch((error: unknown) => this.reportError(error, 'resuming the worker failed'));
  }

  /**
   * Stops taking jobs. By default lets running handlers finish and report. With `force: true` (also
   * while a graceful close is under way), aborts running handlers' `signal` with reason 'shutdown' and
   * leaves their tasks unreported (see `failOnForcedClose`). Idempotent.
   */
  async close({ force = false }: { force?: boolean } = {}): Promise<void> {
    if (force) this.forcing ??= this.forceStop();
    this.closing ??= this.closeAll(force);
    await this.forcing;
    return this.closing;
  }

  private get log() {
    return this.options.processor.logger;
  }

  private async forceStop(): Promise<void> {
    this.setState('closing');
    try {
      await this.runner.shutdown(this.options.failOnForcedClose, FORCED_REPORT_TIMEOUT_MS);
    } catch (error) {
      this.reportError(error, 'forced shutdown of running tasks failed');
    }
  }

  private async closeAll(force: boolean): Promise<void> {
    this.setState('closing');
    this.signalClosed();
    this.redisSafetyMonitor?.close();
    // Every step runs even when one fails.
    if (force) await this.forcing;
    try {
      await this.worker.close(force);
    } catch (error) {
      this.reportError(error, 'closing the BullMQ worker failed');
    }
    try {
      if (this.ownedRedis?.status === 'ready') await this.ownedRedis.quit();
      else this.ownedRedis?.disconnect();
    } catch (error) {
      this.reportError(error, 'closing the Redis Cluster connection failed');
    }
    try {
      // After the BullMQ worker closed no report is still wanted, unless the close is forced.
      await this.ownedClient?.close({ force });
    } catch (error) {
      this.reportError(error, 'closing the Step Functions client failed');
    }
    this.setState('closed');
  }

  private setState(state: ActivityWorkerState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.log.info({ queue: this.queueName, state }, `activity worker ${state}`);
    this.emit('stateChange', state);
  }

  private reportError(error: unknown, message: string): void {
    this.log.error({ err: error, queue: this.queueName }, message);
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }
}
