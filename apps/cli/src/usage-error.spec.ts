import { describe, expect, it } from 'vitest';
import { UsageError, numberFlag, parseFlags } from './usage-error.js';

describe('parseFlags', () => {
  it('turns an unknown flag into a short UsageError', () => {
    expect(() => parseFlags(['--nope'], { port: { type: 'string' } })).toThrow(UsageError);
    expect(() => parseFlags(['--nope'], { port: { type: 'string' } })).toThrow(/^unknown option '--nope'$/);
  });

  it('refuses positional arguments', () => {
    expect(() => parseFlags(['extra'], {})).toThrow(UsageError);
  });
});

describe('numberFlag', () => {
  it('takes the fallback when absent and checks range and integrality', () => {
    expect(numberFlag('rate', undefined, 5)).toBe(5);
    expect(numberFlag('rate', '2.5', 5)).toBe(2.5);
    expect(() => numberFlag('port', '2.5', 0, { integer: true })).toThrow(
      "--port: must be an integer ≥ 0, got '2.5'",
    );
    expect(() => numberFlag('p', '2', 0, { max: 1 })).toThrow("--p: must be a number from 0 to 1, got '2'");
    expect(() => numberFlag('p', '', 0)).toThrow(UsageError);
  });
});
