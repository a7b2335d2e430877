// The BullMQ job options the bridge gives every job of a queue (attempts, backoff, retention), their
// defaults (bounded retention, never BullMQ's keep-forever) and their rules; bridge-options.ts composes them.
import type { KeepJobs } from 'bullmq';
import { integer, fail, type IssueList } from './bridge-option-rules.js';

/** How long BullMQ keeps finished jobs: an age in seconds and/or a count (BullMQ's `KeepJobs`). */
export type JobRetention = KeepJobs;

/** BullMQ job options the bridge applies to every job of one queue. */
export interface BridgeJobOptions {
  /** Attempts of the BullMQ job (the worker's retries inside one Step Functions task). @default 1 */
  attempts?: number;
  /** Backoff between attempts, as BullMQ takes it. @default none */
  backoff?: number | { type: 'fixed' | 'exponential'; delay?: number; jitter?: number };
  /** @default { age: 86_400, count: 10_000 } (a day, at most 10,000 jobs; never BullMQ's keep-forever) */
  removeOnComplete?: boolean | number | JobRetention;
  /** @default { age: 604_800, count: 50_000 } (a week, at most 50,000 jobs) */
  removeOnFail?: boolean | number | JobRetention;
}

export interface CompiledJobOptions {
  attempts: number;
  backoff?: BridgeJobOptions['backoff'];
  removeOnComplete: boolean | number | JobRetention;
  removeOnFail: boolean | number | JobRetention;
}

export const DEFAULT_REMOVE_ON_COMPLETE: JobRetention = { age: 86_400, count: 10_000 };
export const DEFAULT_REMOVE_ON_FAIL: JobRetention = { age: 604_800, count: 50_000 };

function retention(option: string, value: unknown): boolean | number | JobRetention {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return integer(option, value, 0);
  if (typeof value === 'object' && value !== null) {
    const { age, count } = value as { age?: unknown; count?: unknown };
    if (age === undefined && count === undefined) fail(option, 'needs age and/or count', value);
    const checkedCount = count === undefined ? undefined : integer(`${option}.count`, count, 0);
    if (age === undefined) return { count: checkedCount as number };
    const out: JobRetention = { age: integer(`${option}.age`, age, 1) };
    if (checkedCount !== undefined) out.count = checkedCount;
    return out;
  }
  return fail(option, 'must be a boolean, a count or { age, count }', value);
}

export function compileJobOptions(
  list: IssueList,
  option: string,
  value: BridgeJobOptions | undefined,
): CompiledJobOptions {
  if (value !== undefined && (typeof value !== 'object' || value === null)) {
    list.take(undefined, () => fail(option, 'must be an object', value));
  }
  const options = typeof value === 'object' && value !== null ? value : {};
  const compiled: CompiledJobOptions = {
    attempts:
      options.attempts === undefined
        ? 1
        : list.take(1, () => integer(`${option}.attempts`, options.attempts, 1)),
    removeOnComplete:
      options.removeOnComplete === undefined
        ? { ...DEFAULT_REMOVE_ON_COMPLETE }
        : list.take(DEFAULT_REMOVE_ON_COMPLETE, () =>
            retention(`${option}.removeOnComplete`, options.removeOnComplete),
          ),
    removeOnFail:
      options.removeOnFail === undefined
        ? { ...DEFAULT_REMOVE_ON_FAIL }
        : list.take(DEFAULT_REMOVE_ON_FAIL, () => retention(`${option}.removeOnFail`, options.removeOnFail)),
  };
  if (options.backoff !== undefined) compiled.backoff = options.backoff;
  return compiled;
}
