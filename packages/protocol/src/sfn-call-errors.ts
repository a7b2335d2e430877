// What a call of SfnActivityClient rejects with: the service's error answer (`SfnCallError`, shaped like
// the SDK's exceptions so the predicates in sfn-errors.ts read both alike), a timeout, a bad answer, a closed client.
// Named apart from the emulator's `SfnServiceError`, which is the answer the emulator sends, not what a caller gets.

/** A Step Functions error answer (HTTP status ≠ 2xx), shaped like the SDK's: `name`, `$fault`, `$metadata`. */
export class SfnCallError extends Error {
  /** The service's error name, e.g. `TaskTimedOut` or `ThrottlingException` (what the predicates read). */
  override readonly name: string;
  readonly $fault: 'client' | 'server';
  readonly $metadata: { httpStatusCode: number; requestId: string | undefined; attempts: number };

  constructor(
    name: string,
    message: string,
    status: number,
    requestId: string | undefined,
    attempts: number,
  ) {
    super(message);
    this.name = name;
    this.$fault = status >= 500 ? 'server' : 'client';
    this.$metadata = { httpStatusCode: status, requestId, attempts };
  }
}

/** A call got no answer within its timeout (the request may have reached the service). */
export class SfnRequestTimeoutError extends Error {
  override readonly name = 'SfnRequestTimeoutError';
  /** Read by `isNetworkError`, like a socket timeout. */
  readonly code = 'ETIMEDOUT';
}

/** A 2xx answer that is not the JSON the operation returns. */
export class SfnResponseError extends Error {
  override readonly name = 'SfnResponseError';
}

/** A call made after `close()`. */
export class SfnClientClosedError extends Error {
  override readonly name = 'SfnClientClosedError';
}
