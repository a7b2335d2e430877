// The one error a bad worker or processor option raises at construction,
// naming the option and the value, so a typo fails at start and not mid-task.

/** Thrown for an option that is missing, of the wrong type or out of range. */
export class InvalidWorkerOptionError extends TypeError {
  override readonly name = 'InvalidWorkerOptionError';

  constructor(
    /** The option's name, e.g. `heartbeatIntervalMs`. */
    readonly option: string,
    readonly value: unknown,
    expected: string,
  ) {
    super(`${option}: ${expected}, got ${describe(value)}`);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) {
    return String(value);
  }
  return typeof value;
}

/** A whole number of milliseconds within [min, max]. */
export function checkDurationMs(option: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidWorkerOptionError(
      option,
      value,
      `must be a whole number of milliseconds in ${min}–${max}`,
    );
  }
  return value;
}

/** A whole number within [min, max]. */
export function checkInteger(option: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidWorkerOptionError(option, value, `must be a whole number in ${min}–${max}`);
  }
  return value;
}

export function checkBoolean(option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new InvalidWorkerOptionError(option, value, 'must be true or false');
  return value;
}
