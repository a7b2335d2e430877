// Why a handler's `signal` was aborted: a closed union of reasons, carried by
// one error class so `signal.reason` is always an Error a handler can rethrow.

/**
 * - `task-gone`: Step Functions answered a heartbeat with TaskTimedOut, TaskDoesNotExist or InvalidToken
 *   (the task timed out or its execution stopped); nothing more will be reported.
 * - `shutdown`: the worker is closing with `force: true`.
 * - `job-cancelled`: the BullMQ job was cancelled (`worker.cancelJob`); what the handler then throws is reported.
 */
export type CancelReason = 'task-gone' | 'shutdown' | 'job-cancelled';

/** The `signal.reason` of an aborted handler. */
export class ActivityCancelledError extends Error {
  override readonly name = 'ActivityCancelledError';

  constructor(
    readonly reason: CancelReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The cancel reason of an aborted signal, or undefined when it is not aborted by this package. */
export function cancelReasonOf(signal: AbortSignal): CancelReason | undefined {
  const reason: unknown = signal.aborted ? signal.reason : undefined;
  // By name, not instanceof: the ES module and CommonJS builds each have their own class.
  if (!(reason instanceof Error) || reason.name !== 'ActivityCancelledError') return undefined;
  const value = (reason as Partial<ActivityCancelledError>).reason;
  return value === 'task-gone' || value === 'shutdown' || value === 'job-cancelled' ? value : undefined;
}
