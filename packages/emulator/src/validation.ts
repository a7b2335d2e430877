// Field checks for request bodies, answering as the service's model layer does:
// `ValidationException` "N validation error(s) detected: Value … at '<field>' failed to satisfy constraint: …".
import { serviceErrors, type ServiceError } from './service-error.js';

/** Collects constraint violations for one request and throws them together, as AWS does. */
export class RequestValidator {
  private readonly problems: string[] = [];

  constructor(private readonly body: Record<string, unknown>) {}

  /** A required string of `min`..`max` characters; returns it (or '' when it failed, with the failure recorded). */
  requiredString(field: string, limits: { min?: number; max?: number } = {}): string {
    const value = this.body[field];
    if (value === undefined || value === null) {
      this.problems.push(`Value null at '${field}' failed to satisfy constraint: Member must not be null`);
      return '';
    }
    return this.checkString(field, value, limits) ?? '';
  }

  /** An optional string; undefined when absent. */
  optionalString(field: string, limits: { min?: number; max?: number } = {}): string | undefined {
    const value = this.body[field];
    if (value === undefined || value === null) return undefined;
    return this.checkString(field, value, limits);
  }

  /** An optional integer within `min`..`max`; undefined when absent. */
  optionalInteger(field: string, limits: { min?: number; max?: number } = {}): number | undefined {
    const value = this.body[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.problems.push(
        `Value '${describe(value)}' at '${field}' failed to satisfy constraint: Member must be an integer`,
      );
      return undefined;
    }
    if (limits.min !== undefined && value < limits.min) {
      this.problems.push(
        `Value '${value}' at '${field}' failed to satisfy constraint: Member must have value greater than or equal to ${limits.min}`,
      );
      return undefined;
    }
    if (limits.max !== undefined && value > limits.max) {
      this.problems.push(
        `Value '${value}' at '${field}' failed to satisfy constraint: Member must have value less than or equal to ${limits.max}`,
      );
      return undefined;
    }
    return value;
  }

  /** A list operation's `maxResults`: 0..1000, where 0 or absent means `defaultSize`. */
  pageSize(defaultSize = 100): number {
    const value = this.optionalInteger('maxResults', { min: 0, max: 1000 });
    return value === undefined || value === 0 ? defaultSize : value;
  }

  /** An optional boolean; undefined when absent. */
  optionalBoolean(field: string): boolean | undefined {
    const value = this.body[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') {
      this.problems.push(
        `Value '${describe(value)}' at '${field}' failed to satisfy constraint: Member must be a boolean`,
      );
      return undefined;
    }
    return value;
  }

  /** Records a violation found by the caller (e.g. a pattern). */
  fail(field: string, value: unknown, constraint: string): void {
    this.problems.push(
      `Value '${describe(value)}' at '${field}' failed to satisfy constraint: ${constraint}`,
    );
  }

  /** Throws the collected violations as one `ValidationException`; does nothing when there are none. */
  throwIfInvalid(): void {
    const error = this.error();
    if (error !== undefined) throw error;
  }

  error(): ServiceError | undefined {
    const count = this.problems.length;
    if (count === 0) return undefined;
    return serviceErrors.validation(
      `${count} validation error${count === 1 ? '' : 's'} detected: ${this.problems.join('; ')}`,
    );
  }

  private checkString(
    field: string,
    value: unknown,
    limits: { min?: number; max?: number },
  ): string | undefined {
    if (typeof value !== 'string') {
      this.problems.push(
        `Value '${describe(value)}' at '${field}' failed to satisfy constraint: Member must be a string`,
      );
      return undefined;
    }
    if (limits.min !== undefined && value.length < limits.min) {
      this.problems.push(
        `Value '${describe(value)}' at '${field}' failed to satisfy constraint: Member must have length greater than or equal to ${limits.min}`,
      );
      return undefined;
    }
    if (limits.max !== undefined && value.length > limits.max) {
      this.problems.push(
        `Value '${describe(value)}' at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${limits.max}`,
      );
      return undefined;
    }
    return value;
  }
}

/** Shortens a value for a message: AWS quotes the value, and a 1 MB value must not become a 1 MB message. */
function describe(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}

// Characters Step Functions refuses in activity, state machine and execution names (InvalidName):
// whitespace, brackets, wildcards, the listed specials and control characters.
const NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;

/** True when `name` uses only characters Step Functions accepts in resource names. */
export function isValidResourceName(name: string): boolean {
  return !NAME_FORBIDDEN.test(name);
}

/** Throws `InvalidName` for a name with a forbidden character (length is checked by the validator). */
export function assertValidResourceName(name: string): void {
  if (!isValidResourceName(name)) throw serviceErrors.invalidName(name);
}
