// What a handler gets: its input, and a context modelled on Temporal's activity
// context (signal, heartbeat, info, log), plus the BullMQ job for anything else; and how it is made.
import type { ActivityJobData } from '@sfn-bullmq/protocol';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';

export interface ActivityInfo {
  activityArn: string;
  /** The last part of the ARN. */
  activityName: string;
  queueName: string;
  jobId: string;
  /** 1-based: which start of this job this is (BullMQ retries and stalled-job recoveries count). */
  attempt: number;
  /** When the bridge's poll received the token: Step Functions' TimeoutSeconds and HeartbeatSeconds run from here. */
  receivedAt: Date;
  /** The `workerName` the bridge polled with. */
  workerName: string;
}

export interface ActivityContext {
  /**
   * Aborted when the task is gone (a heartbeat found it timed out or its execution stopped), when the
   * worker is force-closed, or when the job is cancelled in BullMQ. `signal.reason` is an
   * `ActivityCancelledError` whose `reason` says which (`cancelReasonOf(signal)`). Pass it to fetch & co.
   */
  signal: AbortSignal;
  /**
   * Asks for a heartbeat; returns at once. Throttled to one per `minHeartbeatGapMs` and coalesced;
   * `details` (latest wins) are written as the job's progress, for Bull Board. A property, not a method:
   * it is bound, so `async (input, { heartbeat }) => …` is safe (and passes `unbound-method` lint).
   */
  heartbeat: (details?: unknown) => void;
  info: ActivityInfo;
  /** A pino child logger bound to the job id, queue and a digest of the token. */
  log: Logger;
  job: Job<ActivityJobData>;
}

/** What the handler returns is the task's output (as JSON); what it throws is the task's failure. */
export type ActivityHandler<I = unknown, O = unknown> = (
  input: I,
  context: ActivityContext,
) => Promise<O> | O;

/**
 * The context of one run. `signal` and `log` are made on first use: most handlers never read them,
 * and an AbortController or a pino child per job is a measurable share of the wrapper's cost.
 */
export function createActivityContext(
  job: Job<ActivityJobData>,
  data: ActivityJobData,
  signal: () => AbortSignal,
  log: () => Logger,
  heartbeat: (details?: unknown) => void,
): ActivityContext {
  const info: ActivityInfo = {
    activityArn: data.activityArn,
    activityName: data.activityArn.slice(data.activityArn.lastIndexOf(':') + 1),
    queueName: job.queueName,
    jobId: job.id ?? '',
    attempt: Math.max(job.attemptsStarted ?? 0, job.attemptsMade + 1),
    receivedAt: new Date(data.receivedAt),
    workerName: data.workerName,
  };
  return {
    get signal() {
      return signal();
    },
    heartbeat,
    info,
    job,
    get log() {
      return log();
    },
  };
}
