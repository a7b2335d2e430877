// `ActivityWorker`: a BullMQ Worker on one activity queue with the runner, the
// Step Functions client and crash-safe lock settings; an idempotent close that can escalate to forced.
import { EventEmitter } from 'node:events';
import { Worker } from 'bullmq';
import type { ActivityHandler } from './activity-context.js';
import { ActivityRunner } from './activity-runner.js';
import { InvalidWorkerOptionError } from './invalid-worker-option-error.js';
import {
  compileActivityWorkerOptions,
  type ActivityWorkerOptions,
  type CompiledActivityWorkerOptions,
} from './worker-options.js';

/** Lifecycle of an `ActivityWorker`, logged on each change. */
export type ActivityWorkerState = 'running' | 'closing' | 'closed';

/** The longest a forced close waits for failure reports (`failOnForcedClose`). */
const FORCED_REPORT_TIMEOUT_MS = 10_000;

/**
 * Runs `handler` for the jobs of one activity queue. Events: 'state' (ActivityWorkerState) and
 * 'error' (Redis and close errors; only emitted when someone listens, and always logged).
 */
export class ActivityWorker<I = unknown, O = unknown> extends EventEmitter {
  readonly worker: Worker;
  private readonly options: CompiledActivityWorkerOptions;
  private readonly runner: ActivityRunner<I, O>;
  private stateValue: ActivityWorkerState = 'running';
  private closing: Promise<void> | undefined;
  private forcing: Promise<void> | undefined;

  constructor(
    readonly queueName: string,
    handler: ActivityHandler<I, O>,
    options: ActivityWorkerOptions,
  ) {
    super();
    if (typeof handler !== 'function')
      throw new InvalidWorkerOptionError('handler', handler, 'must be a function');
    this.options = compileActivityWorkerOptions(queueName, options);
    this.runner = new ActivityRunner(handler, this.options.processor);
    this.worker = new Worker(queueName, this.runner.process, {
      connection: this.options.connection,
      prefix: this.options.prefix,
      concurrency: this.options.concurrency,
      lockDuration: this.options.lockDurationMs,
      stalledInterval: this.options.stalledIntervalMs,
      maxStalledCount: this.options.maxStalledCount,
    });
    this.worker.on('error', (error) => this.reportError(error, 'BullMQ worker error'));
    this.log.info(
      { queue: queueName, concurrency: this.options.concurrency, state: this.stateValue },
      'activity worker running',
    );
  }

  get state(): ActivityWorkerState {
    return this.stateValue;
  }

  /** Handlers running now. */
  get runningCount(): number {
    return this.runner.runningCount;
  }

  /** Handlers let go after ignoring their aborted signal past `abandonHandlerAfterMs` (for metrics). */
  get abandonedHandlerCount(): number {
    return this.runner.abandonedHandlerCount;
  }

  /** Resolves when the worker is connected to Redis. */
  async waitUntilReady(): Promise<void> {
    await this.worker.waitUntilReady();
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
    // Every step runs even when one fails.
    if (force) await this.forcing;
    try {
      await this.worker.close(force);
    } catch (error) {
      this.reportError(error, 'closing the BullMQ worker failed');
    }
    try {
      // After the BullMQ worker closed no report is still wanted, unless the close is forced.
      await this.options.processor.ownedClient?.close({ force });
    } catch (error) {
      this.reportError(error, 'closing the Step Functions client failed');
    }
    this.setState('closed');
  }

  private setState(state: ActivityWorkerState): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    this.log.info({ queue: this.queueName, state }, `activity worker ${state}`);
    this.emit('state', state);
  }

  private reportError(error: unknown, message: string): void {
    this.log.error({ err: error, queue: this.queueName }, message);
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }
}
