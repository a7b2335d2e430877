// The three Step Functions calls a worker makes, as a narrow interface: the
// processor depends on this, so unit specs pass a plain object and tracing can wrap it.
import {
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { SfnActivityClient } from '@sfn-bullmq/protocol';

/**
 * Sends a task's result, failure or heartbeat. Rejects with errors that carry the service's error name
 * (`TaskTimedOut` etc.), as the SDK's and `SfnActivityClient`'s do.
 */
export interface TaskSender {
  sendTaskSuccess(taskToken: string, output: string): Promise<void>;
  sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void>;
  sendTaskHeartbeat(taskToken: string): Promise<void>;
}

/** A `TaskSender` over an SDK client (best one made with `createSendSfnClient`, apart from any polls). */
export function sfnTaskSender(client: Pick<SFNClient, 'send'>): TaskSender {
  return {
    async sendTaskSuccess(taskToken, output) {
      await client.send(new SendTaskSuccessCommand({ taskToken, output }));
    },
    async sendTaskFailure(taskToken, error, cause) {
      await client.send(new SendTaskFailureCommand({ taskToken, error, cause }));
    },
    async sendTaskHeartbeat(taskToken) {
      await client.send(new SendTaskHeartbeatCommand({ taskToken }));
    },
  };
}

/** A `TaskSender` over the lean activity client (what connection options build: `createSendActivityClient`). */
export function activityClientTaskSender(client: SfnActivityClient): TaskSender {
  return {
    sendTaskSuccess: (taskToken, output) => client.sendTaskSuccess({ taskToken, output }),
    sendTaskFailure: (taskToken, error, cause) => client.sendTaskFailure({ taskToken, error, cause }),
    sendTaskHeartbeat: (taskToken) => client.sendTaskHeartbeat({ taskToken }),
  };
}
