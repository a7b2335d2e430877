// Waiting on conditions instead of sleeping: poll a predicate until it holds or a
// deadline passes, and fail with what was awaited and the last value seen.

/** Thrown when a condition did not hold before its deadline. */
export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
}

export interface WaitForOptions {
  /** @default 20_000 */
  timeoutMs?: number;
  /** @default 100 */
  intervalMs?: number;
}

/**
 * Calls `probe` until it returns a value `accept` agrees with (truthy by default), then returns it.
 * A probe that throws counts as "not yet" (a process may not listen yet); its last error is reported.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | Promise<T>,
  options: WaitForOptions & { accept?: (value: T) => boolean } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const intervalMs = options.intervalMs ?? 100;
  const accept = options.accept ?? ((value: T) => Boolean(value));
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (accept(value)) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      const shown = last instanceof Error ? `${last.name}: ${last.message}` : JSON.stringify(last);
      throw new WaitTimeoutError(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${shown})`);
    }
    await sleep(intervalMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
