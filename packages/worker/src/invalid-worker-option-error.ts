// The one error a bad worker or processor option raises at construction,
// naming the option and the value, so a typo fails at start and not mid-task.
import { InvalidOptionError } from '@sfn-bullmq/protocol';

/** Thrown for an option that is missing, of the wrong type or out of range (`option`, `value`, `rule`). */
export class InvalidWorkerOptionError extends InvalidOptionError {
  override readonly name = 'InvalidWorkerOptionError';
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
