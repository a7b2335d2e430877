// The narrow interface that metrics and tracing watch runs through (docs/observability.md): the runner
// calls it when an attempt starts, around the handler and each Send*, and once when the attempt ends.
// With no observer configured none of it runs (the runner checks one `undefined`).

/** The Step Functions calls a run makes. */
export type SendCall = 'SendTaskSuccess' | 'SendTaskFailure' | 'SendTaskHeartbeat';

/**
 * How one attempt of a job ended, a closed union:
 * - `succeeded`: SendTaskSuccess was accepted.
 * - `failed`: SendTaskFailure was accepted with `error` (the handler's error name, or ours).
 * - `cancelled`: SendTaskFailure was accepted for a handler stopped by a cancelled job or a forced close.
 * - `task_gone`: the task closed (timed out, execution stopped) before anything was reported.
 * - `maybe_reported`: the task was closed when the report was repeated: an earlier attempt probably sent it.
 * - `invalid_token`: Step Functions refused the token; nothing was reported.
 * - `unreported`: a forced close left the task unreported (another worker or the heartbeat timeout ends it).
 * - `attempt_failed`: nothing final happened (BullMQ retries the handler, a report kept failing, Redis
 *   refused the stored outcome…); a later attempt runs the handler or re-sends the stored outcome.
 */
export type RunOutcome =
  | 'succeeded'
  | 'failed'
  | 'cancelled'
  | 'task_gone'
  | 'maybe_reported'
  | 'invalid_token'
  | 'unreported'
  | 'attempt_failed';

/** What an observer learns when an attempt starts. */
export interface ObservedRun {
  readonly queueName: string;
  readonly activityArn: string;
  readonly jobId: string | undefined;
  /** When the bridge's poll received the token, epoch ms: Step Functions' task clocks run from here. */
  readonly receivedAt: number;
  /** When the job was added to Redis (BullMQ's `job.timestamp`), epoch ms. */
  readonly enqueuedAt: number;
  /** BullMQ's attempt number (1 for the first). */
  readonly attempt: number;
  /** True when the outcome an earlier attempt stored is re-sent (the handler does not run). */
  readonly resend: boolean;
  /** The job's `traceContext` (W3C fields), when the bridge traced it; not checked, may be malformed. */
  readonly traceContext: unknown;
}

/** How an attempt ended; `error` is the Step Functions error reported, for `failed`, `cancelled` and a failure `maybe_reported`. */
export interface RunEnd {
  readonly outcome: RunOutcome;
  readonly error?: string;
  /** What ended an attempt that reported nothing final (`attempt_failed`, `task_gone`…), for a span's status. */
  readonly thrown?: unknown;
}

/**
 * One attempt as one observer watches it. Every `around*` must call its function exactly once and
 * return (or throw) what it does: they exist so tracing can run the call inside its span's context.
 */
export interface ActivityRunObservation {
  /** Around the handler's call (not run for a re-sent outcome). */
  aroundHandler?<T>(handler: () => Promise<T>): Promise<T>;
  /** Around the report of an outcome, all its attempts and retries included. */
  aroundReport?<T>(call: SendCall, report: () => Promise<T>): Promise<T>;
  /** Around each single Send* call: every report attempt and every heartbeat. */
  aroundSend?<T>(call: SendCall, send: () => Promise<T>): Promise<T>;
  /** A report attempt failed transiently and is tried again after `delayMs`. */
  sendRetried?(call: SendCall, error: unknown, delayMs: number): void;
  /** Once, when the attempt has ended. */
  ended(end: RunEnd): void;
}

/** Watches the runs of a worker or processor; `runStarted` returns what watches that one attempt, if anything. */
export interface ActivityRunObserver {
  /** An `ActivityWorker` was built on `queueName` with this concurrency (not called for a bare `activityProcessor`). */
  workerStarted?(worker: { readonly queueName: string; readonly concurrency: number }): void;
  runStarted(run: ObservedRun): ActivityRunObservation | undefined;
}

/** One observation that forwards to several (metrics and tracing together), in order, the first outermost. */
export function combineObservations(
  observations: readonly ActivityRunObservation[],
): ActivityRunObservation | undefined {
  if (observations.length <= 1) return observations[0];
  type Around = <T>(fn: () => Promise<T>) => Promise<T>;
  const nest = <T>(arounds: readonly Around[], fn: () => Promise<T>): Promise<T> =>
    arounds.reduceRight<() => Promise<T>>((inner, around) => () => around(inner), fn)();
  const handlerArounds: Around[] = [];
  for (const o of observations) {
    const around = o.aroundHandler?.bind(o);
    if (around !== undefined) handlerArounds.push((fn) => around(fn));
  }
  const callArounds = (call: SendCall, pick: 'aroundReport' | 'aroundSend'): Around[] => {
    const arounds: Around[] = [];
    for (const o of observations) {
      const around = o[pick]?.bind(o);
      if (around !== undefined) arounds.push((fn) => around(call, fn));
    }
    return arounds;
  };
  return {
    aroundHandler: (handler) => nest(handlerArounds, handler),
    aroundReport: (call, report) => nest(callArounds(call, 'aroundReport'), report),
    aroundSend: (call, send) => nest(callArounds(call, 'aroundSend'), send),
    sendRetried: (call, error, delayMs) => {
      for (const o of observations) o.sendRetried?.(call, error, delayMs);
    },
    ended: (end) => {
      for (const o of observations) o.ended(end);
    },
  };
}
