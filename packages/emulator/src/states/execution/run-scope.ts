// The seams inside one execution: what a branch of states needs from its execution (RunScope), what a
// state that stays open (Task, Map, Parallel) needs from its branch (StateExit), and what it offers (OpenState).
import type { TaskScheduler } from '../../task-scheduler.js';
import type { JsonValue } from '../json-path.js';

/** What the running states need from the service: its broker, its clock, and whether it is closed. */
export interface ServiceClock {
  readonly scheduler: TaskScheduler;
  /** Epoch milliseconds. */
  now(): number;
  /** True once the service is closed: no new Wait or Retry timers are set after that. */
  readonly closed: boolean;
}

/** Where a state sits, for the `$$.State` and `$$.Map` parts of the context object. */
export interface ContextFrame {
  stateName: string;
  enteredMs: number;
  retryCount: number;
  mapItem?: { index: number; value: JsonValue } | undefined;
}

/** A timer the execution knows about, so that clearTimers() (service close) clears it. */
export interface ScopeTimer {
  cancel(): void;
}

export interface RunScope {
  readonly host: ServiceClock;
  readonly executionArn: string;
  /** False once the execution has ended: nothing may record or move after that. */
  running(): boolean;
  /** Appends a history event; throws a StatesError at the history limit. */
  record(type: string, field: string | undefined, details: object | undefined): void;
  contextObject(frame: ContextFrame): JsonValue;
  /** Runs `fn` after `delayMs` while the execution runs; undefined once the service is closed. */
  setTimer(fn: () => void, delayMs: number): ScopeTimer | undefined;
  /** Ends the execution as FAILED, wherever the failure happened (States.Runtime is never caught). */
  failExecution(error: string | undefined, cause: string | undefined): void;
  /** An unexpected error in state `stateName`: fails the execution with States.Runtime and reports it. */
  internalError(error: unknown, stateName: string): void;
}

/** A state that stays open past its entry: a Task waiting on its activity, a Map, a Parallel. */
export interface OpenState {
  /** Retries used so far, for `$$.State.RetryCount`. */
  readonly retryCount: number;
  /** Closes it with no outcome; records `<Type>StateAborted` (and its children's) when `record` is set. */
  abort(record: boolean): void;
}

/** How an open state hands control back to its branch. */
export interface StateExit {
  /** Records `<Type>StateExited` and goes on to Next (or ends the branch). */
  succeeded(output: JsonValue): void;
  /** Caught: records `<Type>StateExited` and goes to `next` with `output`. */
  caught(next: string, output: JsonValue): void;
  /** Not caught: the branch fails. */
  failed(error: string | undefined, cause: string | undefined): void;
  /** Runs `fn`; a StatesError it throws fails the branch, anything else the execution. */
  guard(fn: () => void): void;
}

/** How a branch reports its end to whoever started it (the execution, a Map, a Parallel). */
export interface BranchParent {
  succeeded(output: JsonValue): void;
  failed(error: string | undefined, cause: string | undefined): void;
}

/** A running branch as its Map or Parallel holds it. */
export interface ChildBranch {
  start(input: JsonValue): void;
  abort(record: boolean): void;
}
