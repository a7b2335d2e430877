// StateMachineService's options: the public shape, and the one pure compile that fills defaults and names a
// bad value.
import type { TaskScheduler } from '../task-scheduler.js';

export interface StateMachineServiceOptions {
  region: string;
  accountId: string;
  scheduler: TaskScheduler;
  /** Clock in epoch milliseconds. @default Date.now */
  now?: () => number;
  /**
   * Finished executions kept for Describe/List/GetExecutionHistory; past it the oldest-finished is forgotten
   * (AWS keeps them 90 days, but benchmarks push thousands a second through; ~3.4 KB each).
   * @default 25000
   */
  maxFinishedExecutions?: number;
  /** Told of each unexpected error that failed an execution with States.Runtime. @default ignores them */
  onInternalError?: (error: unknown) => void;
}

/** A bad StateMachineServiceOptions value; the message names the option and the value. */
class InvalidStateMachineServiceOptionError extends TypeError {
  override readonly name = 'InvalidStateMachineServiceOptionError';
}

export interface CompiledStateMachineServiceOptions {
  region: string;
  accountId: string;
  scheduler: TaskScheduler;
  now: () => number;
  maxFinishedExecutions: number;
  onInternalError: (error: unknown) => void;
}

export function compileStateMachineServiceOptions(
  options: StateMachineServiceOptions,
): CompiledStateMachineServiceOptions {
  const maxFinishedExecutions = options.maxFinishedExecutions ?? 25_000;
  if (!Number.isInteger(maxFinishedExecutions) || maxFinishedExecutions < 0) {
    throw new InvalidStateMachineServiceOptionError(
      `maxFinishedExecutions must be a non-negative integer, got ${String(maxFinishedExecutions)}`,
    );
  }
  for (const field of ['region', 'accountId'] as const) {
    if (typeof options[field] !== 'string' || options[field].length === 0) {
      throw new InvalidStateMachineServiceOptionError(
        `${field} must be a non-empty string, got ${String(options[field])}`,
      );
    }
  }
  return {
    region: options.region,
    accountId: options.accountId,
    scheduler: options.scheduler,
    now: options.now ?? Date.now,
    maxFinishedExecutions,
    onInternalError: options.onInternalError ?? (() => undefined),
  };
}
