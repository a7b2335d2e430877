// A failure raised while running a state, with the error name Retry/Catch and ExecutionFailed see, and the
// matching of those names against ErrorEquals.

/** A failure raised while running a state; `error` is what ErrorEquals matches. */
export class StatesError extends Error {
  override readonly name = 'StatesError';
  constructor(
    readonly error: string,
    readonly errorCause: string,
  ) {
    super(`${error}: ${errorCause}`);
  }
}

/** What a state failed with, as Retry and Catch look at it. */
export interface StateFailure {
  error: string | undefined;
  cause: string | undefined;
  timeout: boolean;
  heartbeat: boolean;
}

/** ErrorEquals matching: exact names, States.ALL, States.TaskFailed (all but timeouts), the timeout names. */
export function errorMatches(names: readonly string[], failure: StateFailure): boolean {
  return names.some((name) => {
    switch (name) {
      case 'States.ALL':
        return true;
      case 'States.TaskFailed':
        return !failure.timeout;
      case 'States.Timeout':
        return failure.timeout;
      case 'States.HeartbeatTimeout':
        return failure.heartbeat;
      default:
        return failure.error !== undefined && name === failure.error;
    }
  });
}

/** `obj` without its undefined fields (JSON bodies leave them out). */
export function defined<T extends Record<string, unknown>>(
  obj: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  for (const key of Object.keys(obj)) if (obj[key] === undefined) delete obj[key];
  return obj as { [K in keyof T]?: Exclude<T[K], undefined> };
}
