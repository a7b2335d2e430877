import { describe, expect, it } from 'vitest';
import {
  isActivityMissingError,
  isNetworkError,
  isTaskGoneError,
  isThrottlingError,
  isTransientError,
  isWorkerLimitError,
} from './sfn-errors.js';

const named = (name: string, extra: object = {}) => Object.assign(new Error('x'), { name }, extra);

describe('error predicates', () => {
  it('knows a closed task from a transient failure', () => {
    expect(isTaskGoneError(named('TaskTimedOut'))).toBe(true);
    expect(isTaskGoneError(named('InvalidToken'))).toBe(true);
    expect(isTransientError(named('TaskTimedOut', { $fault: 'client' }))).toBe(false);
  });

  it('retries throttling, 5xx and network errors', () => {
    expect(isThrottlingError(named('ThrottlingException'))).toBe(true);
    expect(isTransientError(named('ThrottlingException'))).toBe(true);
    expect(isTransientError(named('InternalFailure', { $metadata: { httpStatusCode: 500 } }))).toBe(true);
    expect(isTransientError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransientError(named('ValidationException', { $metadata: { httpStatusCode: 400 } }))).toBe(
      false,
    );
    expect(isTransientError('not an error')).toBe(false);
  });

  it("reads one error shape, SfnActivityClient's: the SDK-only TimeoutError and a bare $fault are not read", () => {
    expect(isNetworkError(named('SfnRequestTimeoutError', { code: 'ETIMEDOUT' }))).toBe(true);
    expect(isNetworkError(named('TimeoutError'))).toBe(false);
    expect(isTransientError(named('InternalFailure', { $fault: 'server' }))).toBe(false);
  });

  it('recognises a missing activity and the worker limit', () => {
    expect(isActivityMissingError(named('ActivityDoesNotExist'))).toBe(true);
    expect(isActivityMissingError(named('InvalidArn'))).toBe(true);
    expect(isWorkerLimitError(named('ActivityWorkerLimitExceeded'))).toBe(true);
    expect(isWorkerLimitError(named('ActivityDoesNotExist'))).toBe(false);
  });
});
