import { describe, expect, it } from 'vitest';
import { InvalidOptionError, isInvalidOptionError } from './invalid-option-error.js';

class InvalidThingOptionError extends InvalidOptionError {
  override readonly name = 'InvalidThingOptionError';
}

describe('InvalidOptionError', () => {
  it('names the option, the rule and the value in one line', () => {
    const error = new InvalidThingOptionError('polls', 5000, 'must be an integer 1–1000');
    expect(error.message).toBe('polls: must be an integer 1–1000, got 5000');
    expect(error).toMatchObject({ name: 'InvalidThingOptionError', option: 'polls', value: 5000 });
    expect(error).toBeInstanceOf(TypeError);
    expect(error.issues).toEqual([{ option: 'polls', value: 5000, rule: 'must be an integer 1–1000' }]);
  });

  it('lists several issues, one a line, and keeps the subclass', () => {
    const error = InvalidThingOptionError.fromIssues([
      { option: 'a', value: 'x', rule: 'must be a number' },
      { option: 'b', value: null, rule: 'is required' },
    ]);
    expect(error).toBeInstanceOf(InvalidThingOptionError);
    expect(error.message).toBe(
      "2 invalid options:\n  a: must be a number, got 'x'\n  b: is required, got null",
    );
  });
});

describe('isInvalidOptionError', () => {
  it('accepts our errors and a look-alike of the same shape (the emulator does not import protocol)', () => {
    expect(isInvalidOptionError(new InvalidThingOptionError('a', 1, 'r'))).toBe(true);
    const lookAlike = Object.assign(new TypeError('a: r, got 1'), { option: 'a', value: 1, rule: 'r' });
    Object.defineProperty(lookAlike, 'name', { value: 'InvalidEmulatorOptionError' });
    expect(isInvalidOptionError(lookAlike)).toBe(true);
  });

  it('refuses other errors, whatever their message says', () => {
    expect(isInvalidOptionError(new TypeError('polls: must be 1–1000, got 5000'))).toBe(false);
    const named = new TypeError('x');
    Object.defineProperty(named, 'name', { value: 'InvalidFaultError' });
    expect(isInvalidOptionError(named)).toBe(false);
    expect(isInvalidOptionError({ name: 'InvalidOptionError', option: 'a', value: 1, rule: 'r' })).toBe(
      false,
    );
  });
});
