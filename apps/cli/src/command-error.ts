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
    const text = error instanceof Error ? error.message || error.name : String(error);
    const name = error instanceof Error && error.name !== 'Error' ? `${error.name}: ` : '';
    throw new CommandError(`Step Functions ${call} to ${target} failed: ${name}${text}`, { cause: error });
  }
}

/** A listen that failed because the port is taken: say so, and how to choose another. */
export function portInUse(error: unknown, what: string, howToChange: string): unknown {
  if ((error as NodeJS.ErrnoException | undefined)?.code !== 'EADDRINUSE') return error;
  return new CommandError(`${what} is in use; ${howToChange}, or 0 for a free port`, { cause: error });
}
