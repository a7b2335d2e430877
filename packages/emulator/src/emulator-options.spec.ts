import { describe, expect, it } from 'vitest';
import { InvalidEmulatorOptionError, compileEmulatorOptions } from './emulator-options.js';

describe('compileEmulatorOptions', () => {
  it('names a bad fault option once, with its value', () => {
    expect(() => compileEmulatorOptions({ faults: { dropRate: 2 } })).toThrow(InvalidEmulatorOptionError);
    expect(() => compileEmulatorOptions({ faults: { dropRate: 2 } })).toThrow(
      /^faults\.dropRate: must be a number from 0 to 1, got 2$/,
    );
  });
});
