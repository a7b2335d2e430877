// The one thing that crosses Redis between a bridge and a worker: the job a
// task token becomes, and the id that makes a token added twice one job.
import { createHash } from 'node:crypto';
import { InvalidActivityArnError, parseActivityArn } from './activity-arn.js';
import { SFN_LIMITS } from './limits.js';

/** The data of the BullMQ job that one Step Functions activity task becomes. */
export interface ActivityJobData {
  /** The task token. It is a credential for the task: never log it whole (see `tokenDigest`). */
  taskToken: string;
  /** The task's input, parsed from JSON; the raw string when it was not JSON (see `inputIsRaw`). */
  input: unknown;
  /** True when `input` is the raw string because the service sent something that is not JSON. */
  inputIsRaw?: boolean;
  /** The activity the token was polled from. */
  activityArn: string;
  /** The `workerName` the bridge sent with the poll that received the token. */
  workerName: string;
  /** When the poll returned the token, in epoch milliseconds. Step Functions' task clocks run from here. */
  receivedAt: number;
  /**
   * The trace the task belongs to, as W3C trace-context fields (`traceparent`, maybe `tracestate`), when the
   * bridge traces (docs/observability.md#one-trace-per-task). Only for tracing: the worker ignores a
   * malformed one rather than refuse the job, so it is not checked by `parseActivityJob`.
   */
  traceContext?: Record<string, string>;
}

/** The Step Functions `error` (and the start of the BullMQ `failedReason`) of a job that is not an `ActivityJobData`. */
export const INVALID_JOB_ERROR = 'SfnBullmq.InvalidJob';

/**
 * A job's data is not an `ActivityJobData`. `name` is the class's, like every error class of ours, so
 * predicates read it; the Step Functions error name is `code` (`SfnBullmq.InvalidJob`), which also
 * starts the message, so a BullMQ `failedReason` and a log line both say it first.
 */
export class InvalidJobError extends TypeError {
  override readonly name = 'InvalidJobError';
  readonly code = INVALID_JOB_ERROR;

  constructor(
    /** The offending field of the job's data (`activityArn`), or `data` for the whole. */
    readonly field: string,
    expected: string,
    value: unknown,
  ) {
    super(`${INVALID_JOB_ERROR}: ${field} ${expected}, got ${describeValue(value)}`);
  }
}

/** True for an `InvalidJobError` (by name, so also across copies of this package). */
export function isInvalidJobError(error: unknown): error is InvalidJobError {
  return (
    typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'InvalidJobError'
  );
}

/**
 * Checks every field of a job's data once, where it enters the worker, and returns it typed (the same
 * object, fields of the caller's own kept). Throws `InvalidJobError` naming the first bad field, so a
 * hand-made or damaged job fails with one clear reason instead of a TypeError deep in the worker.
 */
export function parseActivityJob(data: unknown): ActivityJobData {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new InvalidJobError('data', 'must be an object (ActivityJobData)', data);
  }
  const job = data as Record<string, unknown>;
  const { taskToken, activityArn, workerName, receivedAt, inputIsRaw } = job;
  if (!isTaskToken(taskToken)) {
    throw new InvalidJobError(
      'taskToken',
      `must be a string of 1–${SFN_LIMITS.taskTokenMaxChars} characters`,
      taskToken,
    );
  }
  if (typeof activityArn !== 'string') {
    throw new InvalidJobError('activityArn', 'must be a string', activityArn);
  }
  try {
    parseActivityArn(activityArn);
  } catch (error) {
    if (!(error instanceof InvalidActivityArnError)) throw error;
    throw new InvalidJobError(
      'activityArn',
      'must be an activity ARN (arn:aws:states:<region>:<account>:activity:<name>)',
      activityArn,
    );
  }
  if (typeof workerName !== 'string' || workerName.length > SFN_LIMITS.workerNameMaxChars) {
    throw new InvalidJobError(
      'workerName',
      `must be a string of at most ${SFN_LIMITS.workerNameMaxChars} characters`,
      workerName,
    );
  }
  if (typeof receivedAt !== 'number' || !Number.isFinite(receivedAt) || receivedAt < 0) {
    throw new InvalidJobError('receivedAt', 'must be epoch milliseconds (a finite number ≥ 0)', receivedAt);
  }
  // Redis holds JSON, where a missing value and `undefined` are the same: the bridge always sets `input`.
  if (!('input' in job) || job['input'] === undefined) {
    throw new InvalidJobError('input', 'must be present (the parsed task input)', job['input']);
  }
  if (inputIsRaw !== undefined && typeof inputIsRaw !== 'boolean') {
    throw new InvalidJobError('inputIsRaw', 'must be true, false or absent', inputIsRaw);
  }
  if (inputIsRaw === true && typeof job['input'] !== 'string') {
    throw new InvalidJobError('input', 'must be a string when inputIsRaw is true', job['input']);
  }
  return job as unknown as ActivityJobData;
}

/** A value Step Functions could take as a task token: a string of 1–2,048 characters. */
export function isTaskToken(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= SFN_LIMITS.taskTokenMaxChars;
}

/** The job id of a task token: `tk-` and the SHA-256 of the token in hex. No ':', never all digits. */
export function jobIdForToken(taskToken: string): string {
  return `tk-${createHash('sha256').update(taskToken).digest('hex')}`;
}

/** A short, stable digest of a token for logs and metrics labels, so a whole token is never logged. */
export function tokenDigest(taskToken: string): string {
  return createHash('sha256').update(taskToken).digest('hex').slice(0, 12);
}

/** Parses a task's input as Step Functions sends it (a JSON text); keeps a non-JSON text as a string. */
export function parseTaskInput(raw: string | undefined): { input: unknown; inputIsRaw: boolean } {
  if (raw === undefined || raw === '') return { input: {}, inputIsRaw: false };
  try {
    return { input: JSON.parse(raw) as unknown, inputIsRaw: false };
  } catch {
    return { input: raw, inputIsRaw: true };
  }
}

/** A value for an error message: short, and never a whole token or input. */
function describeValue(value: unknown): string {
  if (value === null || value === undefined || typeof value === 'boolean' || typeof value === 'number') {
    return String(value);
  }
  if (typeof value === 'string') {
    return value.length <= 80 ? `'${value}'` : `a string of ${value.length} characters`;
  }
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
