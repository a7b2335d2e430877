// Injected faults: dropped token deliveries (with the stall they cause), latency and
// server errors. Validated the same way at start and when changed at run time.

export interface EmulatorFaults {
  /** Fraction (0–1) of token deliveries never answered: the task starts and is lost. @default 0 */
  dropRate: number;
  /** Polls frozen behind each dropped poll until its deadline. @default 10 */
  stallFollowers: number;
  /** Added before every API reply, in milliseconds. @default 0 */
  latencyMs: number;
  /** Fraction (0–1) of API calls answered HTTP 500 InternalFailure or 503 ServiceUnavailable. @default 0 */
  errorRate: number;
}

export const DEFAULT_FAULTS: Readonly<EmulatorFaults> = Object.freeze({
  dropRate: 0,
  stallFollowers: 10,
  latencyMs: 0,
  errorRate: 0,
});

/** A fault setting out of range; `field` names it. */
export class InvalidFaultError extends TypeError {
  override readonly name = 'InvalidFaultError';
  constructor(
    readonly field: string,
    readonly value: unknown,
    /** What the field must be, e.g. 'must be a number from 0 to 1'. */
    readonly expected: string,
  ) {
    super(`faults.${field}: ${expected}, got ${JSON.stringify(value) ?? String(value)}`);
  }
}

const FIELDS = ['dropRate', 'stallFollowers', 'latencyMs', 'errorRate'] as const;

/** `base` with `changes` applied; throws `InvalidFaultError` for an unknown field or a value out of range. */
export function compileFaults(changes: unknown, base: EmulatorFaults = DEFAULT_FAULTS): EmulatorFaults {
  if (changes === undefined) return { ...base };
  if (typeof changes !== 'object' || changes === null || Array.isArray(changes)) {
    throw new InvalidFaultError('(all)', changes, 'must be an object');
  }
  const result: EmulatorFaults = { ...base };
  for (const [field, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    switch (field) {
      case 'dropRate':
      case 'errorRate':
        if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
          throw new InvalidFaultError(field, value, 'must be a number from 0 to 1');
        }
        result[field] = value;
        break;
      case 'stallFollowers':
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
          throw new InvalidFaultError(field, value, 'must be a non-negative integer');
        }
        result[field] = value;
        break;
      case 'latencyMs':
        if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 600_000) {
          throw new InvalidFaultError(field, value, 'must be a number of milliseconds from 0 to 600000');
        }
        result[field] = value;
        break;
      default:
        throw new InvalidFaultError(field, value, `is not a fault (known: ${FIELDS.join(', ')})`);
    }
  }
  return result;
}
