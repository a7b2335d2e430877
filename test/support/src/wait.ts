// Waiting in tests: poll a condition until it holds or a deadline passes, and fail
// naming what was awaited and the last value seen; `sleep` for the rare fixed pause.
import { setTimeout as sleepFor } from 'node:timers/promises';

/** Thrown when a condition did not hold before its deadline. */
export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
}

export interface UntilOptions<T> {
  /** @default 15_000 */
  timeoutMs?: number;
  /** How often the probe runs. @default 10 */
  intervalMs?: number;
  /** What is awaited, for the timeout's message. @default 'condition' */
  what?: string;
  /** Which probe values end the wait. @default truthy */
  accept?: (value: T) => boolean;
  /**
   * Count a probe that throws as "not yet" (a child process may not listen yet)
   * instead of failing at once; its last error is reported on timeout.
   * @default false
   */
  retryOnError?: boolean;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return sleepFor(ms);
}

/**
 * Runs `probe` until it returns a value `accept` agrees with (truthy by default) and
 * returns that value; throws `WaitTimeoutError` after `timeoutMs`.
 * `until(probe, 5_000, 'polls open')` is short for `until(probe, { timeoutMs: 5_000, what: 'polls open' })`.
 */
export async function until<T>(
  probe: () => T | Promise<T>,
  options: number | UntilOptions<T> = {},
  what?: string,
): Promise<T> {
  const o: UntilOptions<T> = typeof options === 'number' ? { timeoutMs: options } : options;
  const timeoutMs = o.timeoutMs ?? 15_000;
  const intervalMs = o.intervalMs ?? 10;
  const accept = o.accept ?? ((value: T) => Boolean(value));
  const label = what ?? o.what ?? 'condition';
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (accept(value)) return value;
      last = value;
    } catch (error) {
      if (o.retryOnError !== true) throw error;
      last = error;
    }
    if (Date.now() >= deadline) {
      const shown = last instanceof Error ? `${last.name}: ${last.message}` : JSON.stringify(last);
      throw new WaitTimeoutError(`timed out after ${timeoutMs} ms waiting for ${label} (last: ${shown})`);
    }
    await sleepFor(intervalMs);
  }
}
