// The narrow interfaces a pool talks through (Step Functions polls, failure
// reports, the BullMQ queue), and the adapters that back them with the real things.
import { GetActivityTaskCommand, SendTaskFailureCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { ActivityJobData } from '@sfn-bullmq/shared';
import type { JobsOptions } from 'bullmq';

/** What one GetActivityTask call gave: a token and input, or nothing when the long poll ended empty. */
export interface PolledTask {
  taskToken?: string | undefined;
  input?: string | undefined;
}

/** Long polls for tasks. An implementation must never retry or abort a call on its own (FACTS §4). */
export interface ActivityTaskSource {
  getActivityTask(request: { activityArn: string; workerName: string }): Promise<PolledTask>;
}

/** Sends SendTaskFailure for a token the bridge could not store. */
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
