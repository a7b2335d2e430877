// Full-jitter exponential backoff: each caller waits a random time up to the
// exponential cap, so a hundred poll slots hit by one outage do not retry in lockstep.

export interface BackoffOptions {
  /** The cap of the first retry's wait. */
  baseMs: number;
  /** The largest wait. */
  maxMs: number;
}

/** Milliseconds to wait before retry number `attempt` (1 for the first retry). */
export function fullJitterBackoffMs(
  attempt: number,
  { baseMs, maxMs }: BackoffOptions,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const ceiling = Math.min(maxMs, baseMs * 2 ** exponent);
  return Math.floor(random() * ceiling);
}
