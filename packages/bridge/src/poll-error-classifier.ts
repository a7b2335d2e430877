// What a failed GetActivityTask means for its pool: pure, an error and the slot's failure count in,
// the metric type, what the pool does (stop, shrink, back off), the slot's delay and the log line out.
import {
  fullJitterBackoffMs,
  isActivityMissingError,
  isThrottlingError,
  isTransientError,
  isWorkerLimitError,
  sfnErrorName,
} from '@sfn-bullmq/protocol';
import type { PollErrorType } from './bridge-metrics.js';

/**
 * `stop`: the activity is missing, one slot probes now and then; `shrink`: others hold polls on this
 * ARN too, keep fewer; `back-off`: wait `delayMs` and poll again.
 */
type PollErrorAction = 'stop' | 'shrink' | 'back-off';

export interface PollErrorVerdict {
  type: PollErrorType;
  action: PollErrorAction;
  /** How long the slot waits before it polls again. */
  delayMs: number;
  /** The line to log (throttled by the pool), when the action does not log on its own. */
  log?: { level: 'warn' | 'error'; message: string };
}

export interface PollErrorClassifierOptions {
  pollBackoffMaxMs: number;
  random: () => number;
}

const TRANSIENT_BACKOFF_BASE_MS = 100;
const WORKER_LIMIT_BACKOFF_BASE_MS = 1_000;
/** Also the pause before a slot that failed by a bug comes back. */
export const UNKNOWN_ERROR_BACKOFF_BASE_MS = 1_000;

const CREDENTIALS_ERRORS = new Set([
  'CredentialsProviderError',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredTokenException',
  'AccessDeniedException',
]);

/** The SDK's credential chain found nothing, or the service refused what it found. */
export function isCredentialsError(error: unknown): boolean {
  return CREDENTIALS_ERRORS.has(sfnErrorName(error));
}

/** `failures`: this slot's failures in a row, this one included (1 for the first). */
export function classifyPollError(
  error: unknown,
  failures: number,
  { pollBackoffMaxMs, random }: PollErrorClassifierOptions,
): PollErrorVerdict {
  const backoff = (baseMs: number): number =>
    fullJitterBackoffMs(failures, { baseMs, maxMs: pollBackoffMaxMs }, random);
  if (isActivityMissingError(error)) return { type: 'activity_missing', action: 'stop', delayMs: 0 };
  if (isWorkerLimitError(error)) {
    return { type: 'worker_limit', action: 'shrink', delayMs: backoff(WORKER_LIMIT_BACKOFF_BASE_MS) };
  }
  if (isTransientError(error)) {
    return {
      type: isThrottlingError(error) ? 'throttling' : 'transient',
      action: 'back-off',
      delayMs: backoff(TRANSIENT_BACKOFF_BASE_MS),
      log: { level: 'warn', message: 'poll failed; backing off' },
    };
  }
  return {
    type: 'other',
    action: 'back-off',
    delayMs: backoff(UNKNOWN_ERROR_BACKOFF_BASE_MS),
    log: {
      level: 'error',
      message: isCredentialsError(error)
        ? 'poll failed: AWS credentials missing, invalid or not allowed to poll (environment, profile or role); backing off'
        : 'poll failed with an unexpected error; backing off',
    },
  };
}

/** One line for an error: its name when that says something, its message, and the HTTP status. */
export function describeError(error: unknown): string {
  const name = sfnErrorName(error);
  let message = error instanceof Error ? error.message : String(error);
  // Node's connect to `localhost` tries ::1 and 127.0.0.1 and fails with an AggregateError without a message.
  if (message === '' && error instanceof AggregateError) {
    message = error.errors
      .map((inner: unknown) => (inner instanceof Error ? inner.message : String(inner)))
      .join('; ');
  }
  if (message === '') {
    const { code } = error as { code?: unknown };
    message = typeof code === 'string' ? code : 'no message';
  }
  // A plain `Error` says nothing the message does not; a named one (ThrottlingException) does.
  const named = name !== '' && name !== 'Error' && !message.startsWith(name);
  const status = (error as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata?.httpStatusCode;
  const http = typeof status === 'number' ? ` (HTTP ${status})` : '';
  return named ? `${name}${http}: ${message}` : `${message}${http}`;
}
