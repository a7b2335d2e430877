// A job whose data is not an ActivityJobData (hand-made, damaged, from another producer):
// logged once, reported as SfnBullmq.InvalidJob when its token is usable, failed without retry.
import { INVALID_JOB_ERROR, isTaskToken, tokenDigest, type InvalidJobError } from '@sfn-bullmq/protocol';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { INVALID_TOKEN_MEANING } from './job-end.js';
import { RefusedJobError } from './job-end-errors.js';
import { failureOutcomeOf } from './task-outcome.js';
import type { TaskReporter } from './task-reporter.js';

/**
 * Reports the job's task as failed (`SfnBullmq.InvalidJob`) when its token is usable, so the task does
 * not wait for its timeout, and always throws the RefusedJobError that fails the job: a retry would
 * find the same data. The outcome is not stored on the job (the data is not ours to trust); a stalled
 * re-run reports again and gets TaskTimedOut.
 */
export async function refuseInvalidJob(
  job: Job,
  error: InvalidJobError,
  reporter: TaskReporter,
  logger: Logger,
): Promise<never> {
  const raw: unknown = job.data;
  const token: unknown =
    typeof raw === 'object' && raw !== null ? (raw as { taskToken?: unknown }).taskToken : undefined;
  const usable = isTaskToken(token);
  const log = logger.child({
    jobId: job.id,
    queue: job.queueName,
    ...(usable ? { token: tokenDigest(token) } : {}),
  });
  log.error(
    { field: error.field, err: error },
    usable
      ? 'the job data is not an ActivityJobData: reporting SfnBullmq.InvalidJob and failing the job'
      : 'the job data is not an ActivityJobData and has no usable task token: failing the job, nothing to report to',
  );
  const reason = withoutCode(error.message);
  if (!usable)
    throw new RefusedJobError(`${reason} (nothing reported: no usable task token)`, { cause: error });
  let note: string;
  try {
    const result = await reporter.report(
      token,
      failureOutcomeOf(INVALID_JOB_ERROR, error.message, []),
      false,
    );
    note =
      result === 'sent'
        ? 'reported to Step Functions with SendTaskFailure'
        : result === 'invalid-token'
          ? `not reported: ${INVALID_TOKEN_MEANING}`
          : 'not reported: the task is closed';
  } catch (reportError) {
    log.warn({ err: reportError }, 'could not report the invalid job; its task waits for its timeout');
    note = 'the report failed; the task waits for its timeout';
  }
  throw new RefusedJobError(`${reason} (${note})`, { cause: error });
}

/** The message of an InvalidJobError without its leading `SfnBullmq.InvalidJob: `. */
function withoutCode(message: string): string {
  const prefix = `${INVALID_JOB_ERROR}: `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}
