// The narrow interfaces a pool talks through (Step Functions polls, failure
// reports, the BullMQ queue). The real things fit them as they are: SfnActivityClient, Queue.
import type { ActivityJobData, PolledTask } from '@sfn-bullmq/protocol';
import type { JobsOptions } from 'bullmq';

/**
 * Long polls for tasks. An implementation must never retry or abort a call on its own (docs/aws-sdk.md#timeouts-that-retry).
 * The bridge uses an `SfnActivityClient` from `createPollingActivityClient`.
 */
export interface ActivityTaskSource {
  getActivityTask(request: { activityArn: string; workerName: string }): Promise<PolledTask>;
}

/** Sends SendTaskFailure for a token the bridge could not store (an `SfnActivityClient` fits as it is). */
export interface TaskFailureReporter {
  sendTaskFailure(request: { taskToken: string; error: string; cause: string }): Promise<void>;
}

/** The parts of a BullMQ `Queue` a pool uses; a `Queue<ActivityJobData>` fits as it is. */
export interface ActivityJobQueue {
  add(name: string, data: ActivityJobData, opts?: JobsOptions): Promise<unknown>;
  getJob(jobId: string): Promise<unknown>;
  getJobCounts(...types: ('waiting' | 'prioritized')[]): Promise<Record<string, number>>;
}
