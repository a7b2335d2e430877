// How a task's end shows in BullMQ: a reported success completes the job; a reported failure,
// a closed task, a refused token or an invalid job fail it without BullMQ retries
// (UnrecoverableError), with a failedReason that starts with the Step Functions error name.
import { UnrecoverableError } from 'bullmq';
import { truncateChars, type StoredOutcome } from './task-outcome.js';

/**
 * The return value of a completed job: its success was reported (`maybe`: the task was closed when the
 * report was repeated, so an earlier attempt probably reported it). Failures end the job as failed.
 */
export interface ActivityJobResult {
  reported: 'success' | 'maybe';
}

/** Starts the failedReason of a job whose task closed before it was reported (the job ends as cancelled). */
export const TASK_GONE_JOB_ERROR = 'SfnBullmq.TaskGone';
/** Starts the failedReason of a job whose token Step Functions refused as InvalidToken. */
export const INVALID_TOKEN_JOB_ERROR = 'SfnBullmq.InvalidToken';

/** What an InvalidToken answer means, for the log and the failedReason. */
export const INVALID_TOKEN_MEANING =
  'Step Functions refused the task token (InvalidToken): it is not a token of this account and region, or it was altered (a masked token saved from Bull Board, say)';

/** The error that ends a job as failed with no BullMQ retry; `failedReason` is `<error>: <message>`. */
export function jobFailure(error: string, message: string): UnrecoverableError {
  return new UnrecoverableError(`${error}: ${message}`);
}

/** The error that ends a job whose failure outcome was sent (`maybe`: probably sent by an earlier attempt). */
export function reportedFailure(
  outcome: Extract<StoredOutcome, { kind: 'failure' }>,
  maybe: boolean,
): UnrecoverableError {
  const note = maybe
    ? 'SendTaskFailure found the task closed on a repeated attempt: maybe reported earlier'
    : 'reported to Step Functions with SendTaskFailure';
  const message = causeMessage(outcome.cause);
  return jobFailure(outcome.error, message === '' ? `(${note})` : `${message} (${note})`);
}

/** The message inside a cause we serialised (cut for the failedReason); '' when it is not ours. */
function causeMessage(cause: string): string {
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown } | null;
    const message = parsed?.errorMessage;
    if (typeof message !== 'string') return '';
    return truncateChars(message, 1_000);
  } catch {
    return '';
  }
}
