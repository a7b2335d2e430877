// Retry, then Catch: what a failed Task (or Map, or Parallel) does next. The first matching retrier
// decides; with its attempts spent, the first matching catcher; else the failure goes on up.
import type { Catcher, Retrier } from '../definition/index.js';
import type { StateFailure } from './states-error.js';
import { errorMatches } from './states-error.js';

export type Recovery =
  { kind: 'retry'; delayMs: number } | { kind: 'catch'; catcher: Catcher } | { kind: 'fail' };

/** Decides, and counts the retry in `attempts` (retries used so far, per retrier index). */
export function recover(
  retry: readonly Retrier[],
  catchers: readonly Catcher[],
  failure: StateFailure,
  attempts: number[],
  random: () => number = Math.random,
): Recovery {
  const retrierIndex = retry.findIndex((r) => errorMatches(r.errorEquals, failure));
  const retrier = retry[retrierIndex];
  if (retrier) {
    const used = attempts[retrierIndex] ?? 0;
    if (used < retrier.maxAttempts) {
      attempts[retrierIndex] = used + 1;
      let delaySeconds = retrier.intervalSeconds * retrier.backoffRate ** used;
      if (retrier.maxDelaySeconds !== undefined)
        delaySeconds = Math.min(delaySeconds, retrier.maxDelaySeconds);
      if (retrier.jitter === 'FULL') delaySeconds *= random();
      return { kind: 'retry', delayMs: delaySeconds * 1000 };
    }
  }
  const catcher = catchers.find((c) => errorMatches(c.errorEquals, failure));
  return catcher ? { kind: 'catch', catcher } : { kind: 'fail' };
}
