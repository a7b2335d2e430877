// Time as a pool sees it: `now()` and one-shot timers, injected so tests drive every timer-driven
// path (enqueue deadlines, back-pressure re-reads, missing-activity probes, grow-back) without waiting.

/** A pending timer; `cancel()` may be called any number of times. */
export interface ClockTimer {
  cancel(): void;
}

/** The small interface a pool reads time through. `realClock` is Date.now and Node's timers. */
export interface Clock {
  now(): number;
  /** Runs `callback` once after `ms` (never for an infinite `ms`). */
  setTimeout(callback: () => void, ms: number): ClockTimer;
}

const NEVER: ClockTimer = { cancel: () => undefined };

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    // Node turns an infinite delay into 1 ms; an infinite wait is no timer at all.
    if (ms === Number.POSITIVE_INFINITY) return NEVER;
    const timer = setTimeout(callback, ms);
    return { cancel: () => clearTimeout(timer) };
  },
};

/** A Redis call or a failure report that took longer than the pool allows it. */
class PoolTimeout extends Error {
  override readonly name = 'PoolTimeout';
}

/**
 * Races `promise` against a timer on `clock`. The timer goes as soon as the race is decided, and the
 * loser's rejection is swallowed so it never goes unhandled. The clock (not `AbortSignal.timeout`)
 * keeps the timeout under the tests' control like every other timer of the pool.
 */
export async function withTimeout<T>(
  clock: Clock,
  promise: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  promise.catch(() => undefined);
  let timer: ClockTimer = NEVER;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = clock.setTimeout(() => reject(new PoolTimeout(`${what} took longer than ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    timer.cancel();
  }
}

/**
 * Resolves after `ms` on `clock`, or at once when `cutShort` settles first, either way (then the timer
 * goes). For one-off waits: each call leaves a handler on `cutShort` until it settles.
 */
export function sleep(clock: Clock, ms: number, cutShort?: Promise<unknown>): Promise<void> {
  return new Promise((resolve) => {
    const timer = clock.setTimeout(resolve, ms);
    const done = (): void => {
      timer.cancel();
      resolve();
    };
    cutShort?.then(done, done);
  });
}
