// A failure the CLI explains in its own words (which call failed where, what to change):
// printed as it is, without a class name or stack, with exit code 1.

export class CommandError extends Error {
  override readonly name = 'CommandError';
}

/** Where Step Functions calls go, for messages: the endpoint, or AWS in the region. */
export function sfnTarget(sfn: { endpoint?: string; region?: string }): string {
  return sfn.endpoint ?? `AWS Step Functions in ${sfn.region ?? 'the region of the AWS chain'}`;
}

/** Runs one Step Functions call; a failure says it was Step Functions, which call, and where. */
export async function sfnCall<T>(call: string, target: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new CommandError(`Step Functions ${call} to ${target} failed: ${errorText(error)}`, {
      cause: error,
    });
  }
}

function codeOf(error: Error): string {
  const { code } = error as { code?: unknown };
  return typeof code === 'string' ? code : 'no message';
}

/** An error in one line: its name when it says something, its message, or what it wraps. */
function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // `localhost` is tried as ::1 and 127.0.0.1: node fails with an AggregateError without a message.
  const message =
    error.message !== ''
      ? error.message
      : error instanceof AggregateError
        ? error.errors
            .map((inner: unknown) => (inner instanceof Error ? inner.message : String(inner)))
            .join('; ')
        : codeOf(error);
  const named = error.name !== 'Error' && error.name !== 'AggregateError' && !message.startsWith(error.name);
  return named ? `${error.name}: ${message}` : message;
}

/** A listen that failed because the port is taken: say so, and how to choose another. */
export function portInUse(error: unknown, what: string, howToChange: string): unknown {
  if ((error as NodeJS.ErrnoException | undefined)?.code !== 'EADDRINUSE') return error;
  return new CommandError(`${what} is in use; ${howToChange}, or 0 for a free port`, { cause: error });
}
