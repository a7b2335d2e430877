// The three Step Functions calls a worker makes, as a narrow interface: the
// processor depends on this, so unit specs pass a plain object and tracing can wrap it.
import {
  compileActivityClientOptions,
  createSendActivityClient,
  type CompiledActivityClientOptions,
  type SfnActivityClient,
} from '@sfn-bullmq/protocol';

/**
 * Sends a task's result, failure or heartbeat. Rejects with errors that carry the service's error name
 * (`TaskTimedOut` etc.), as `SfnActivityClient`'s do.
 */
export interface TaskSender {
  sendTaskSuccess(taskToken: string, output: string): Promise<void>;
  sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void>;
  sendTaskHeartbeat(taskToken: string): Promise<void>;
}

/** The Send* half of `SfnActivityClient`: what `activityClientTaskSender` needs of a client. */
export type ActivitySendClient = Pick<
  SfnActivityClient,
  'sendTaskSuccess' | 'sendTaskFailure' | 'sendTaskHeartbeat'
>;

/** A `TaskSender` over the activity client (one made with `createSendActivityClient`, apart from any polls). */
export function activityClientTaskSender(client: ActivitySendClient): TaskSender {
  return {
    sendTaskSuccess: (taskToken, output) => client.sendTaskSuccess({ taskToken, output }),
    sendTaskFailure: (taskToken, error, cause) => client.sendTaskFailure({ taskToken, error, cause }),
    sendTaskHeartbeat: (taskToken) => client.sendTaskHeartbeat({ taskToken }),
  };
}

/** Where Send* calls go, as compiled: a sender of the caller's, or connection options for a client of our own. */
export type CompiledSfnTarget =
  { kind: 'sender'; sender: TaskSender } | { kind: 'connection'; options: CompiledActivityClientOptions };

/** Checks connection options without opening anything (throws `InvalidClientOptionError`). */
export function compileSfnConnection(options: object): CompiledSfnTarget {
  return { kind: 'connection', options: compileActivityClientOptions(options) };
}

/** A sender ready to use and the client opened for it, which its owner closes (undefined for a caller's sender). */
export interface OpenedTaskSender {
  sender: TaskSender;
  ownedClient: SfnActivityClient | undefined;
}

/**
 * Opens what the compiled target needs: called where the worker or processor starts, never while compiling.
 * Send* gets its own client and sockets, apart from any polls (docs/aws-sdk.md#separate-clients-for-polls-and-reports).
 */
export function openTaskSender(target: CompiledSfnTarget): OpenedTaskSender {
  if (target.kind === 'sender') return { sender: target.sender, ownedClient: undefined };
  const client = createSendActivityClient(target.options);
  return { sender: activityClientTaskSender(client), ownedClient: client };
}
