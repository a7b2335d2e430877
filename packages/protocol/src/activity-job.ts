// The one thing that crosses Redis between a bridge and a worker: the job a
// task token becomes, and the id that makes a token added twice one job.
import { createHash } from 'node:crypto';

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
