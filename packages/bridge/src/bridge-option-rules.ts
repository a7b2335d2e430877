// The checks every bridge option rule is written with (`integer`, `positiveMs`, `fail`) and the
// `IssueList` that gathers every issue of one compile; `bridge-options.ts` writes the rules.
import { InvalidOptionError, type OptionIssue } from '@sfn-bullmq/protocol';

/**
 * Thrown by `compileBridgeOptions()` (and so by `new Bridge()`) for options that cannot work: `issues`
 * holds every one found (`option`, `value`, `rule`), the first also as `option`/`value`/`rule`.
 */
export class InvalidBridgeOptionError extends InvalidOptionError {
  override readonly name = 'InvalidBridgeOptionError';
}

export function fail(option: string, rule: string, value: unknown): never {
  throw new InvalidBridgeOptionError(option, value, rule);
}

/**
 * Gathers the issues of one compile: each check runs in `take()`, which records a failed check and
 * goes on with a fallback, so one call reports every bad option instead of the first.
 */
export class IssueList {
  readonly issues: OptionIssue[] = [];

  take<T>(fallback: T, check: () => T): T {
    try {
      return check();
    } catch (error) {
      if (!(error instanceof InvalidBridgeOptionError)) throw error;
      this.issues.push(...error.issues);
      return fallback;
    }
  }

  /** A part compiled in its own file (fleet/, queued-heartbeats/) returns its issues: records them. */
  add<T>(compiled: { value: T; issues: readonly OptionIssue[] }): T {
    this.issues.push(...compiled.issues);
    return compiled.value;
  }

  /** Throws one error carrying every issue, if there is any. */
  throwIfAny(): void {
    if (this.issues.length > 0) throw InvalidBridgeOptionError.fromIssues(this.issues);
  }
}

export function integer(option: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `${min}–${max}`;
    fail(option, `must be an integer ${range}`, value);
  }
  return value;
}

export function positiveMs(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    fail(option, 'must be a positive, finite number of milliseconds', value);
  }
  return value;
}
