// When SfnActivityClient tries a Send* again and after how long (the SDK's standard strategy),
// and the clock-skew correction that makes a signature refused for a wrong clock pass on the next try.
import { fullJitterBackoffMs } from './backoff.js';
import { isThrottlingError, isTransientError, sfnErrorName } from './sfn-errors.js';

/** The SDK treats a clock more than this far from the service's as skewed and corrects it. */
const CLOCK_SKEW_MS = 4 * 60_000;
const CLOCK_SKEW_ERRORS = new Set([
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'RequestTimeTooSkewed',
  'RequestExpired',
  'RequestInTheFuture',
]);

/** Worth another attempt: throttling, a 5xx, a network failure, or a signature refused for a skewed clock. */
export function isRetryableCallError(error: unknown): boolean {
  return isTransientError(error) || CLOCK_SKEW_ERRORS.has(sfnErrorName(error));
}

/** The pause before attempt `attempt + 1`: 100 ms base, 500 ms when throttled, 20 s cap, full jitter. */
export function retryDelayMs(attempt: number, error: unknown): number {
  const baseMs = isThrottlingError(error) ? 500 : 100;
  return fullJitterBackoffMs(attempt, { baseMs, maxMs: 20_000 });
}

/** The offset between our clock and the service's, learned from the `date` of a skew error answer. */
export class ClockSkew {
  private offsetMs = 0;

  /** The time to sign with. */
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /** Takes the service's `date` header as the clock when the answer says our signature's time is off. */
  note(errorName: string, date: string | undefined): void {
    if (!CLOCK_SKEW_ERRORS.has(errorName) || date === undefined) return;
    const serverMs = Date.parse(date);
    if (Number.isNaN(serverMs)) return;
    const offsetMs = serverMs - Date.now();
    if (Math.abs(offsetMs - this.offsetMs) > CLOCK_SKEW_MS) this.offsetMs = offsetMs;
  }
}
