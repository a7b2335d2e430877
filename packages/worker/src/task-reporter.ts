// Sends a stored outcome with bounded retries of throttling, 5xx and network
// errors, and turns "the task is gone" into an answer instead of an endless loop.
import { fullJitterBackoffMs, isTaskGoneError, isTransientError, sfnErrorName } from '@sfn-bullmq/protocol';
import { setTimeout as delay } from 'node:timers/promises';
import type { TaskSender } from './task-sender.js';
import type { StoredOutcome } from './task-outcome.js';

/**
 * - `sent`: Step Functions accepted it.
 * - `task-gone`: the first attempt found the task closed (timed out or execution stopped): not reported.
 * - `maybe-sent`: the task was closed when a later attempt arrived, so an earlier attempt (or an earlier
 *   worker, for a re-sent stored outcome) may well have reported it (docs/step-functions.md#retries-and-tasktimedout-after-a-retry, boto3 #4044).
 * - `invalid-token`: Step Functions refused the token itself (InvalidToken): not a token of this account
 *   and region, or altered. Nothing about the task is known, and no attempt can have reported it.
 */
export type ReportResult = 'sent' | 'task-gone' | 'maybe-sent' | 'invalid-token';

export interface TaskReporterOptions {
  /** How long to keep retrying transient errors before giving up with the last error. */
  sendRetryTimeoutMs: number;
  /** Backoff between our retries (the client's own few attempts come first). */
  backoff: { baseMs: number; maxMs: number };
  /** Called before each retry, for logs. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** Thrown when a report kept failing past `sendRetryTimeoutMs`; the outcome stays stored for the next attempt. */
export class ReportFailedError extends Error {
  override readonly name = 'ReportFailedError';
}

export class TaskReporter {
  constructor(
    private readonly sender: TaskSender,
    private readonly options: TaskReporterOptions,
  ) {}

  /**
   * Sends the outcome. `resend` says it was stored by an earlier attempt of the job, which may have sent
   * it already; a TaskTimedOut then means "maybe sent" rather than "gone".
   */
  async report(taskToken: string, outcome: StoredOutcome, resend: boolean): Promise<ReportResult> {
    const now = this.options.now ?? Date.now;
    const sleep = this.options.sleep ?? ((ms: number) => delay(ms));
    const deadline = now() + this.options.sendRetryTimeoutMs;
    for (let attempt = 1; ; attempt += 1) {
      try {
        if (outcome.kind === 'success') await this.sender.sendTaskSuccess(taskToken, outcome.output);
        else await this.sender.sendTaskFailure(taskToken, outcome.error, outcome.cause);
        return 'sent';
      } catch (error) {
        // Checked before isTaskGoneError, which counts InvalidToken as gone: a closed task answers
        // TaskTimedOut (docs/step-functions.md#error-names), so InvalidToken says the token is wrong, not that the task closed.
        if (sfnErrorName(error) === 'InvalidToken') return 'invalid-token';
        if (isTaskGoneError(error))
          return resend || attempt > 1 || sdkRetried(error) ? 'maybe-sent' : 'task-gone';
        if (!isTransientError(error)) throw error;
        const delayMs = fullJitterBackoffMs(attempt, this.options.backoff);
        if (now() + delayMs > deadline) {
          throw new ReportFailedError(
            `Send${outcome.kind === 'success' ? 'TaskSuccess' : 'TaskFailure'} kept failing for ${this.options.sendRetryTimeoutMs} ms; last error: ${sfnErrorName(error) || String(error)}`,
            { cause: error },
          );
        }
        this.options.onRetry?.(error, attempt, delayMs);
        await sleep(delayMs);
      }
    }
  }
}

/**
 * True when the client itself made more than one attempt of the call that failed (the SDK and
 * `SfnActivityClient` both count them in `$metadata.attempts`).
 */
function sdkRetried(error: unknown): boolean {
  const metadata = (error as { $metadata?: { attempts?: unknown } } | null)?.$metadata;
  return typeof metadata?.attempts === 'number' && metadata.attempts > 1;
}
