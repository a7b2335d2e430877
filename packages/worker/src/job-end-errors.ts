// The ways a run ends other than a reported success, as error classes with literal names; each
// message starts with its `SfnBullmq.*` code (or the reported error), which is what Bull Board shows.
import { INVALID_JOB_ERROR } from '@sfn-bullmq/protocol';
import { UnrecoverableError } from 'bullmq';
import { INVALID_TOKEN_JOB_ERROR, INVALID_TOKEN_MEANING, TASK_GONE_JOB_ERROR } from './job-end.js';
import { WORKER_SHUTDOWN_ERROR, truncateChars, type StoredOutcome } from './task-outcome.js';

/** What every end below shares: `code` starts the message, so the failedReason in Bull Board shows it. */
abstract class JobEndError extends Error {
  constructor(
    readonly code: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${detail}`, options);
  }
}

/** The task closed (timed out, execution stopped) before anything was reported: nothing was. */
export class TaskGoneError extends JobEndError {
  override readonly name = 'TaskGoneError';

  constructor(detail: string, options?: { cause?: unknown }) {
    super(TASK_GONE_JOB_ERROR, detail, options);
  }
}

/** Step Functions refused the token itself: nothing about the task is known, nothing was reported. */
export class InvalidTokenError extends JobEndError {
  override readonly name = 'InvalidTokenError';

  constructor(options?: { cause?: unknown }) {
    super(INVALID_TOKEN_JOB_ERROR, `${INVALID_TOKEN_MEANING}; nothing was reported`, options);
  }
}

/**
 * The job's data is not an ActivityJobData (`detail` says what and whether the task was reported).
 * Distinct from protocol's `InvalidJobError`, which is the parse error and its `cause`.
 */
export class RefusedJobError extends JobEndError {
  override readonly name = 'RefusedJobError';

  constructor(detail: string, options?: { cause?: unknown }) {
    super(INVALID_JOB_ERROR, detail, options);
  }
}

/** The handler's failure (or ours, e.g. an output too large) was reported with SendTaskFailure; `code` is the error sent. */
export class ReportedFailureError extends JobEndError {
  override readonly name = 'ReportedFailureError';
}

/**
 * A forced close left the task unreported. Not a BullMQ-final failure: the job stays for another
 * worker (stalled check) or Step Functions' heartbeat timeout closes the task.
 */
export class WorkerShutdownError extends JobEndError {
  override readonly name = 'WorkerShutdownError';

  constructor() {
    super(WORKER_SHUTDOWN_ERROR, 'the worker was force-closed; the task is left unreported');
  }
}

/** The error that ends a job whose failure outcome was sent (`maybe`: probably sent by an earlier attempt). */
export function reportedFailure(
  outcome: Extract<StoredOutcome, { kind: 'failure' }>,
  maybe: boolean,
): ReportedFailureError {
  const note = maybe
    ? 'SendTaskFailure found the task closed on a repeated attempt: maybe reported earlier'
    : 'reported to Step Functions with SendTaskFailure';
  const message = causeMessage(outcome.cause);
  return new ReportedFailureError(outcome.error, message === '' ? `(${note})` : `${message} (${note})`);
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

/** The run's ends that fail the job in BullMQ without a retry. */
export type FinalJobEndError = TaskGoneError | InvalidTokenError | RefusedJobError | ReportedFailureError;

const FINAL_END_NAMES: ReadonlySet<string> = new Set([
  'TaskGoneError',
  'InvalidTokenError',
  'RefusedJobError',
  'ReportedFailureError',
]);

/**
 * The error BullMQ gets for a final end: an `UnrecoverableError` (so no retry; BullMQ also knows it by
 * that name, which survives a second copy of bullmq) with our message and our error as its `cause`.
 * Other errors pass unchanged.
 */
export function toBullmqError(error: unknown): unknown {
  // By name, not instanceof: the ES module and CommonJS builds each have their own classes.
  if (!(error instanceof Error) || !FINAL_END_NAMES.has(error.name)) return error;
  const final = new UnrecoverableError(error.message);
  final.cause = error;
  return final;
}

/** The `SfnBullmq.*` end of a job as BullMQ reports it (its error or that error's cause), by name. */
export function jobEndErrorOf(error: unknown): FinalJobEndError | WorkerShutdownError | undefined {
  for (const candidate of [error, (error as { cause?: unknown } | null)?.cause]) {
    if (
      candidate instanceof Error &&
      (FINAL_END_NAMES.has(candidate.name) || candidate.name === 'WorkerShutdownError')
    )
      return candidate as FinalJobEndError | WorkerShutdownError;
  }
  return undefined;
}
