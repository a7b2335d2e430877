// Options of the activity processor: the public `ActivityProcessorOptions`,
// and `compileActivityProcessorOptions()` that fills defaults and rejects bad values by name.
import type { ActivityJobData, SfnConnectionOptions } from '@sfn-bullmq/protocol';
import type { Job } from 'bullmq';
import { pino, type Logger } from 'pino';
import { InvalidWorkerOptionError, checkBoolean, checkDurationMs } from './invalid-worker-option-error.js';
import { compileSfnConnection, type CompiledSfnTarget, type TaskSender } from './task-sender.js';
import type { ActivityRunObserver } from './run-observer.js';
import type { StoredOutcome } from './task-outcome.js';

export interface ActivityProcessorHooks {
  /**
   * Runs after the outcome is stored on the job in Redis and before it is sent: for fault injection
   * (kill the process here to prove the stored outcome is re-sent) and tracing. If it throws, the
   * attempt fails like a crash would, and the next attempt re-sends the stored outcome.
   */
  afterOutcomeStored?: (job: Job<ActivityJobData>, outcome: StoredOutcome) => void | Promise<void>;
}

export interface ActivityProcessorOptions {
  /**
   * Where Send* calls go: connection options (a client is built with `createSendActivityClient` when the
   * worker or processor starts, with its own sockets, and closed with the worker), or a ready `TaskSender`
   * (e.g. `activityClientTaskSender(client)` over a client of yours, for tracing or tests).
   */
  sfn: SfnConnectionOptions | { sender: TaskSender };
  /**
   * Automatic heartbeats while the handler runs, this long after the previous one. 10 s keeps a task
   * alive under any HeartbeatSeconds of 20 s or more even when one heartbeat is lost or throttled,
   * at one call per task every 10 s (a 500/s account budget then carries 5,000 running tasks).
   * Set it below a third of your smallest HeartbeatSeconds.
   * @default 10_000
   */
  heartbeatIntervalMs?: number;
  /**
   * Throttle for `context.heartbeat()`: calls within this gap after a heartbeat coalesce into one,
   * sent when the gap ends (latest details win). @default 1_000
   */
  minHeartbeatGapMs?: number;
  /**
   * When true, errors not marked `ActivityFailure.nonRetryable` are retried by BullMQ first (per the
   * job's `attempts` and `backoff`) and reported to Step Functions only when attempts run out.
   * @default false (a failure goes to Step Functions at once: the state machine's Retry owns retries)
   */
  retryInBullmq?: boolean;
  /**
   * A job whose token was received longer ago than this may be past its HeartbeatSeconds or
   * TimeoutSeconds. It is still attempted, with a warning, after a first heartbeat that checks the
   * task is still open. @default 3_600_000 (1 h)
   */
  staleTokenAgeMs?: number;
  /**
   * How long a report keeps retrying throttling, 5xx and network errors (with full-jitter backoff, after
   * the client's own attempts) before the job attempt fails; the stored outcome is re-sent by the next
   * attempt.
   * @default 60_000
   */
  sendRetryTimeoutMs?: number;
  /**
   * After a heartbeat found the task closed and aborted the handler's `signal`, how long to wait for the
   * handler to stop before letting it go: the job then ends as cancelled (`SfnBullmq.TaskGone`) and frees
   * its concurrency slot, with a warning, while the handler's promise is left to settle unobserved.
   * Nothing is reported either way (the task is closed).
   * @default 30_000
   */
  abandonHandlerAfterMs?: number;
  /** @default a pino logger at level 'info' named 'sfn-bullmq-worker' */
  logger?: Logger;
  hooks?: ActivityProcessorHooks;
  /**
   * Watch every run: `WorkerMetrics.observer` from `@sfn-bullmq/worker/metrics`, `activityTracing()` from
   * `@sfn-bullmq/worker/tracing`, or your own (docs/observability.md). @default [] (nothing observed, no cost)
   */
  observers?: readonly ActivityRunObserver[];
}

export interface CompiledActivityProcessorOptions {
  /** Where Send* calls go; nothing is opened until `openTaskSender()` (compiling stays pure). */
  sfn: CompiledSfnTarget;
  heartbeatIntervalMs: number;
  minHeartbeatGapMs: number;
  retryInBullmq: boolean;
  staleTokenAgeMs: number;
  sendRetryTimeoutMs: number;
  abandonHandlerAfterMs: number;
  logger: Logger;
  hooks: ActivityProcessorHooks;
  observers: readonly ActivityRunObserver[];
}

/** What a runner works with: the compiled options and the sender opened for them (`openTaskSender`). */
export type ActivityRunnerOptions = CompiledActivityProcessorOptions & { sender: TaskSender };

const DAY_MS = 86_400_000;

export function compileActivityProcessorOptions(
  options: ActivityProcessorOptions,
): CompiledActivityProcessorOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidWorkerOptionError('options', options, 'must be an object');
  }
  const heartbeatIntervalMs = checkDurationMs(
    'heartbeatIntervalMs',
    options.heartbeatIntervalMs ?? 10_000,
    10,
    DAY_MS,
  );
  const minHeartbeatGapMs = checkDurationMs(
    'minHeartbeatGapMs',
    options.minHeartbeatGapMs ?? 1_000,
    0,
    DAY_MS,
  );
  if (minHeartbeatGapMs > heartbeatIntervalMs) {
    throw new InvalidWorkerOptionError(
      'minHeartbeatGapMs',
      minHeartbeatGapMs,
      `must not exceed heartbeatIntervalMs (${heartbeatIntervalMs})`,
    );
  }
  const retryInBullmq = checkBoolean('retryInBullmq', options.retryInBullmq ?? false);
  const staleTokenAgeMs = checkDurationMs(
    'staleTokenAgeMs',
    options.staleTokenAgeMs ?? 3_600_000,
    0,
    365 * DAY_MS,
  );
  const sendRetryTimeoutMs = checkDurationMs(
    'sendRetryTimeoutMs',
    options.sendRetryTimeoutMs ?? 60_000,
    0,
    DAY_MS,
  );
  const abandonHandlerAfterMs = checkDurationMs(
    'abandonHandlerAfterMs',
    options.abandonHandlerAfterMs ?? 30_000,
    0,
    DAY_MS,
  );
  const hooks = options.hooks ?? {};
  if (typeof hooks !== 'object' || hooks === null) {
    throw new InvalidWorkerOptionError('hooks', hooks, 'must be an object');
  }
  const afterOutcomeStored: unknown = hooks.afterOutcomeStored;
  if (afterOutcomeStored !== undefined && typeof afterOutcomeStored !== 'function') {
    throw new InvalidWorkerOptionError('hooks.afterOutcomeStored', afterOutcomeStored, 'must be a function');
  }
  const observers = checkObservers(options.observers ?? []);
  return {
    sfn: sfnTargetOf(options.sfn),
    heartbeatIntervalMs,
    minHeartbeatGapMs,
    retryInBullmq,
    staleTokenAgeMs,
    sendRetryTimeoutMs,
    abandonHandlerAfterMs,
    logger: options.logger ?? pino({ name: 'sfn-bullmq-worker' }),
    hooks,
    observers,
  };
}

function checkObservers(observers: unknown): readonly ActivityRunObserver[] {
  if (!Array.isArray(observers)) {
    throw new InvalidWorkerOptionError('observers', observers, 'must be an array of run observers');
  }
  observers.forEach((observer: unknown, index) => {
    if (typeof (observer as { runStarted?: unknown } | null)?.runStarted !== 'function') {
      throw new InvalidWorkerOptionError(
        `observers[${index}]`,
        observer,
        'must be an ActivityRunObserver (an object with a runStarted function)',
      );
    }
  });
  return [...(observers as ActivityRunObserver[])];
}

function sfnTargetOf(sfn: ActivityProcessorOptions['sfn'] | undefined): CompiledSfnTarget {
  if (typeof sfn !== 'object' || sfn === null) {
    throw new InvalidWorkerOptionError('sfn', sfn, 'must be connection options or { sender }');
  }
  if ('sender' in sfn) {
    if (typeof sfn.sender !== 'object' || sfn.sender === null) {
      throw new InvalidWorkerOptionError('sfn.sender', sfn.sender, 'must be a TaskSender');
    }
    return { kind: 'sender', sender: sfn.sender };
  }
  try {
    return compileSfnConnection(sfn);
  } catch (error) {
    // By name: the error class comes from another package, maybe its other (ESM/CJS) build.
    if (isInvalidClientOptionError(error)) {
      throw new InvalidWorkerOptionError(`sfn.${error.option}`, error.value, error.rule);
    }
    throw error;
  }
}

function isInvalidClientOptionError(
  error: unknown,
): error is { name: 'InvalidClientOptionError'; option: string; value: unknown; rule: string } {
  return error instanceof Error && error.name === 'InvalidClientOptionError';
}
