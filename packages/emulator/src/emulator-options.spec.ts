import { describe, expect, it } from 'vitest';
import { InvalidEmulatorOptionError, MAX_REQUEST_BYTES, compileEmulatorOptions } from './emulator-options.js';

describe('compileEmulatorOptions', () => {
  it('names a bad fault option once, with its value', () => {
    expect(() => compileEmulatorOptions({ faults: { dropRate: 2 } })).toThrow(InvalidEmulatorOptionError);
    expect(() => compileEmulatorOptions({ faults: { dropRate: 2 } })).toThrow(
      /^faults\.dropRate: must be a number from 0 to 1, got 2$/,
    );
  });

  it('sets request deadlines and the body limit by default', () => {
    expect(compileEmulatorOptions()).toMatchObject({
      requestTimeoutMs: 30_000,
      headersTimeoutMs: 10_000,
      maxRequestBytes: MAX_REQUEST_BYTES,
      oversizeLingerMs: 5_000,
    });
    expect(MAX_REQUEST_BYTES).toBe(1_049_600);
    // The headers deadline follows a shorter request deadline, as Node requires.
    expect(compileEmulatorOptions({ requestTimeoutMs: 2000 }).headersTimeoutMs).toBe(2000);
    expect(compileEmulatorOptions({ requestTimeoutMs: 0 })).toMatchObject({
      requestTimeoutMs: 0,
      headersTimeoutMs: 10_000,
    });
  });

  it('refuses deadlines and limits out of range, naming the option', () => {
    expect(() => compileEmulatorOptions({ requestTimeoutMs: -1 })).toThrow(/^requestTimeoutMs: /);
    expect(() => compileEmulatorOptions({ requestTimeoutMs: 1000, headersTimeoutMs: 2000 })).toThrow(
      /^headersTimeoutMs: must be an integer from 1 to 1000 ms \(at most requestTimeoutMs\), got 2000$/,
    );
    expect(() => compileEmulatorOptions({ headersTimeoutMs: 0 })).toThrow(/^headersTimeoutMs: /);
    expect(() => compileEmulatorOptions({ maxRequestBytes: 0 })).toThrow(/^maxRequestBytes: /);
    expect(() => compileEmulatorOptions({ oversizeLingerMs: 1.5 })).toThrow(/^oversizeLingerMs: /);
  });
});

describe('InvalidEmulatorOptionError fields', () => {
  it('carries option, value and rule like every invalid-option error of ours', () => {
    expect(() => compileEmulatorOptions({ port: -1 })).toThrow(
      expect.objectContaining({
        name: 'InvalidEmulatorOptionError',
        option: 'port',
        value: -1,
        rule: 'must be an integer from 0 to 65535',
      }),
    );
  });
});
