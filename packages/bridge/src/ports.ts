// The narrow interfaces a pool talks through (Step Functions polls, failure
// reports, the BullMQ queue), and the adapters that back them with the real things.
import { GetActivityTaskCommand, SendTaskFailureCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { ActivityJobData, PolledTask } from '@sfn-bullmq/shared';
import type { JobsOptions } from 'bullmq';

/**
 * Long polls for tasks. An implementation must never retry or abort a call on its own (FACTS §4).
 * The bridge uses an `SfnActivityClient` from `createPollingActivityClient`; `sfnActivityTaskSource`
 * adapts an SDK client instead.
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

/** GetActivityTask through an SDK client; use one from `createPollingSfnClient` (sockets above polls, no retry). */
export function sfnActivityTaskSource(client: SFNClient): ActivityTaskSource {
  return {
    async getActivityTask({ activityArn, workerName }) {
      // No abortSignal on purpose: an aborted poll is an abandoned poll, and a
      // token the service hands to it is lost (FACTS §3).
      const output = await client.send(new GetActivityTaskCommand({ activityArn, workerName }));
      return { taskToken: output.taskToken, input: output.input };
    },
  };
}

/** SendTaskFailure through an SDK client; use one from `createSendSfnClient`, so polls never starve it. */
export function sfnTaskFailureReporter(client: SFNClient): TaskFailureReporter {
  return {
    async sendTaskFailure({ taskToken, error, cause }) {
      await client.send(new SendTaskFailureCommand({ taskToken, error, cause }));
    },
  };
}
