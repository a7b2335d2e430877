// The error for a Step Functions client option that would break the long-poll contract.

/** Thrown for client options that would break the long-poll contract; names the option and the value. */
export class InvalidClientOptionError extends TypeError {
  override readonly name = 'InvalidClientOptionError';

  constructor(
    /** The option's name, e.g. `endpoint`; callers with options of their own prefix it (`sfn.endpoint`). */
    readonly option: string,
    readonly value: unknown,
    /** What the option must be, e.g. `must be a positive integer`. */
    readonly rule: string,
  ) {
    super(`${option}: ${rule}, got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`);
  }
}
