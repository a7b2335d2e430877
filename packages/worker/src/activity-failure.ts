// The error class handlers throw to choose the `error` name Step Functions sees
// (what Retry and Catch match) and whether BullMQ may retry it first.

/**
 * A failure with an explicit Step Functions error name.
 *
 * ```ts
 * throw ActivityFailure.nonRetryable('Image too large', 'ImageTooLarge');
 * ```
 * Any other thrown error is reported with its `name` (e.g. `TypeError`) and counts as retryable.
 */
export class ActivityFailure extends Error {
  override readonly name = 'ActivityFailure';

  private constructor(
    message: string,
    /** The `error` sent with SendTaskFailure (truncated to 256 characters). */
    readonly type: string,
    /** Whether BullMQ may retry it first when `retryInBullmq` is on. */
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** A failure that goes to Step Functions at once, even when `retryInBullmq` is on. */
  static nonRetryable(message: string, type: string, options?: { cause?: unknown }): ActivityFailure {
    return new ActivityFailure(message, type, false, options);
  }

  /** A failure that BullMQ retries first (per the job's attempts) when `retryInBullmq` is on. */
  static retryable(message: string, type: string, options?: { cause?: unknown }): ActivityFailure {
    return new ActivityFailure(message, type, true, options);
  }
}

/**
 * Whether `value` is an ActivityFailure, read by `name` and shape rather than `instanceof`: the package ships
 * an ES module and a CommonJS build, and a handler may throw the class of the other copy.
 */
export function isActivityFailure(value: unknown): value is ActivityFailure {
  return (
    value instanceof Error &&
    value.name === 'ActivityFailure' &&
    typeof (value as Partial<ActivityFailure>).type === 'string' &&
    typeof (value as Partial<ActivityFailure>).retryable === 'boolean'
  );
}
