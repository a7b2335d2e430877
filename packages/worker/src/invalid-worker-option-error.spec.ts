import { isInvalidOptionError } from '@sfn-bullmq/protocol';
import { describe, expect, it } from 'vitest';
import { InvalidWorkerOptionError, checkInteger } from './invalid-worker-option-error.js';
import { compileActivityWorkerOptions } from './worker-options.js';

describe('InvalidWorkerOptionError', () => {
  it('has the shape every invalid-option error has: option, value, rule', () => {
    let caught: unknown;
    try {
      checkInteger('concurrency', 0, 1, 10_000);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidWorkerOptionError);
    expect(caught).toMatchObject({
      name: 'InvalidWorkerOptionError',
      option: 'concurrency',
      value: 0,
      rule: 'must be a whole number in 1–10000',
      message: 'concurrency: must be a whole number in 1–10000, got 0',
    });
    expect(isInvalidOptionError(caught)).toBe(true);
  });

  it('is what a bad worker option raises', () => {
    expect(() => compileActivityWorkerOptions('q', { connection: {}, sfn: {}, prefix: '' })).toThrow(
      expect.objectContaining({
        name: 'InvalidWorkerOptionError',
        option: 'prefix',
        rule: 'must be a non-empty string',
      }),
    );
  });
});
