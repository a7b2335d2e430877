// Predicates that decide retries from an error's name and metadata, never from
// its message (the smithy way). Both bridge and worker use them, on what SfnActivityClient rejects with:
// `SfnCallError` (service name, `$metadata.httpStatusCode`) or a network error (`code`).

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

function asErrorLike(error: unknown): ErrorLike {
  return typeof error === 'object' && error !== null ? error : {};
}

/** The error's name (`TaskTimedOut`, `ThrottlingException`, …), or '' when it has none. */
export function sfnErrorName(error: unknown): string {
  const { name } = asErrorLike(error);
  return typeof name === 'string' ? name : '';
}

function statusOf(error: unknown): number | undefined {
  const status = asErrorLike(error).$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

const TASK_GONE = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);
const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  // undici (our transport) gave up connecting; the request was never sent.
  'UND_ERR_CONNECT_TIMEOUT',
]);
const NETWORK_NAMES = new Set(['RequestTimeout', 'RequestTimeoutException', 'SfnRequestTimeoutError']);

/** The task is closed (finished, timed out, execution stopped) or the token is not one: stop reporting. */
export function isTaskGoneError(error: unknown): boolean {
  return TASK_GONE.has(sfnErrorName(error));
}

/** The service asked us to slow down. */
export function isThrottlingError(error: unknown): boolean {
  return THROTTLING.has(sfnErrorName(error)) || statusOf(error) === 429;
}

/** A network-level failure: the request may or may not have reached the service. */
export function isNetworkError(error: unknown): boolean {
  const { code } = asErrorLike(error);
  return (typeof code === 'string' && NETWORK_CODES.has(code)) || NETWORK_NAMES.has(sfnErrorName(error));
}

/** Worth trying again after a pause: throttling, a 5xx, or a network failure. */
export function isTransientError(error: unknown): boolean {
  if (isThrottlingError(error) || isNetworkError(error)) return true;
  const status = statusOf(error);
  return status !== undefined && status >= 500;
}

/** The activity is not there (deleted, wrong ARN): polling it again will not help. */
export function isActivityMissingError(error: unknown): boolean {
  const name = sfnErrorName(error);
  return name === 'ActivityDoesNotExist' || name === 'InvalidArn';
}

/** The ARN already has the maximum number of open polls (1,000). */
export function isWorkerLimitError(error: unknown): boolean {
  return sfnErrorName(error) === 'ActivityWorkerLimitExceeded';
}
