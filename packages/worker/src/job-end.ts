// How a task's end shows in BullMQ: a reported success completes the job; a reported failure,
// a closed task, a refused token or an invalid job fail it without BullMQ retries (job-end-errors.ts),
// with a failedReason that starts with the Step Functions error name or our `SfnBullmq.*` code.

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
