import { describe, expect, it } from 'vitest';
import { classifyPollError, describeError, isCredentialsError } from './poll-error-classifier.js';

const named = (name: string, message = name, extra: object = {}) =>
  Object.assign(new Error(message), { name }, extra);
const options = { pollBackoffMaxMs: 20_000, random: () => 0.5 };

describe('classifyPollError', () => {
  it('stops the pool, without delay, when the activity is missing or its ARN invalid', () => {
    expect(classifyPollError(named('ActivityDoesNotExist'), 1, options)).toEqual({
      type: 'activity_missing',
      action: 'stop',
      delayMs: 0,
    });
    expect(classifyPollError(named('InvalidArn'), 3, options)).toMatchObject({ action: 'stop' });
  });

  it('shrinks on ActivityWorkerLimitExceeded, backing off from a second', () => {
    const verdict = classifyPollError(named('ActivityWorkerLimitExceeded'), 1, {
      ...options,
      random: () => 0.99,
    });
    expect(verdict).toMatchObject({ type: 'worker_limit', action: 'shrink' });
    expect(verdict.delayMs).toBeGreaterThan(100);
    expect(verdict.delayMs).toBeLessThanOrEqual(1_000);
    expect(verdict.log).toBeUndefined();
  });

  it('backs off on throttling and network errors with a warning, longer with each failure, up to the cap', () => {
    const throttled = classifyPollError(named('ThrottlingException', 'Rate exceeded'), 1, {
      ...options,
      random: () => 0.99,
    });
    expect(throttled).toMatchObject({ type: 'throttling', action: 'back-off', log: { level: 'warn' } });
    expect(throttled.delayMs).toBeLessThanOrEqual(100);
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(classifyPollError(reset, 1, options)).toMatchObject({ type: 'transient', action: 'back-off' });
    const capped = classifyPollError(reset, 30, { pollBackoffMaxMs: 500, random: () => 0.99 });
    expect(capped.delayMs).toBeLessThanOrEqual(500);
    expect(capped.delayMs).toBeGreaterThan(100);
  });

  it('names missing credentials in its error line, and backs off from a second on any other error', () => {
    const verdict = classifyPollError(named('CredentialsProviderError', 'Could not load credentials'), 1, {
      ...options,
      random: () => 0.99,
    });
    expect(verdict).toMatchObject({ type: 'other', action: 'back-off', log: { level: 'error' } });
    expect(verdict.log?.message).toContain('AWS credentials');
    expect(verdict.delayMs).toBeGreaterThan(100);
    expect(classifyPollError(new Error('boom'), 1, options).log?.message).toBe(
      'poll failed with an unexpected error; backing off',
    );
    expect(isCredentialsError(named('ExpiredTokenException'))).toBe(true);
    expect(isCredentialsError(new Error('ExpiredTokenException'))).toBe(false);
  });
});

describe('describeError', () => {
  it('gives the name when it says something, the HTTP status, and the code when there is no message', () => {
    expect(
      describeError(named('ThrottlingException', 'Rate exceeded', { $metadata: { httpStatusCode: 400 } })),
    ).toBe('ThrottlingException (HTTP 400): Rate exceeded');
    expect(describeError(new Error('plain'))).toBe('plain');
    expect(describeError(Object.assign(new Error(''), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED');
    expect(describeError(new AggregateError([new Error('a'), new Error('b')], ''))).toBe(
      'AggregateError: a; b',
    );
  });
});
