// Small typed readers for a parsed config object. Each read records an issue
// naming the field instead of throwing, so one run reports every mistake at once.
import type { ConfigIssue } from './config-error.js';

type Plain = Record<string, unknown>;

export function isPlainObject(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Shows a value in an error message: strings quoted, long values cut. */
export function show(value: unknown): string {
  const text = typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export class FieldChecker {
  readonly issues: ConfigIssue[] = [];

  fail(field: string, message: string): void {
    this.issues.push({ field, message });
  }

  /** An object at `field` (or undefined); reports fields not in `known`. */
  object(field: string, value: unknown, known: readonly string[]): Plain | undefined {
    if (value === undefined || value === null) return undefined;
    if (!isPlainObject(value)) {
      this.fail(field, `must be an object, got ${show(value)}`);
      return undefined;
    }
    for (const key of Object.keys(value)) {
      if (!known.includes(key)) {
        this.fail(join(field, key), `unknown field (known: ${known.join(', ')})`);
      }
    }
    return value;
  }

  string(field: string, value: unknown, check?: (value: string) => string | undefined): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' || value === '') {
      this.fail(field, `must be a non-empty string, got ${show(value)}`);
      return undefined;
    }
    const problem = check?.(value);
    if (problem !== undefined) {
      this.fail(field, problem);
      return undefined;
    }
    return value;
  }

  boolean(field: string, value: unknown): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') {
      this.fail(field, `must be true or false, got ${show(value)}`);
      return undefined;
    }
    return value;
  }

  /** An integer in [min, max]; numeric strings count (environment values are strings). */
  integer(field: string, value: unknown, min: number, max: number): number | undefined {
    if (value === undefined || value === null) return undefined;
    const number = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `${min}–${max}`;
      this.fail(field, `must be ${range}, got ${show(value)}`);
      return undefined;
    }
    return number;
  }

  oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.fail(field, `must be one of ${allowed.join(', ')}, got ${show(value)}`);
      return undefined;
    }
    return value as T;
  }
}

function join(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}
