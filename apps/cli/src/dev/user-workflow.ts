// Dev's run of the user's own state machine (`--definition FILE`): the activities its Tasks name, created by
// those names, and the machine itself, created through the same code as `sfn-bullmq emulator --definition`.
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SfnConnectionOptions } from '@sfn-bullmq/protocol';
import { createActivity } from '../bridge-service.js';
import { sfnTarget } from '../command-error.js';
import { createStateMachine } from '../definition/create-state-machine.js';
import { loadUserDefinition } from '../definition/user-definition.js';

export interface UserWorkflow {
  /** ARN by activity name, in the definition's first-seen order; each is also its queue's name. */
  activityArns: Map<string, string>;
  stateMachineArn: string;
}

/** Creates the activities and the machine on `sfn.endpoint` (an emulator); a refusal names the file. */
export async function createUserWorkflow(
  client: SFNClient,
  sfn: SfnConnectionOptions & { endpoint: string },
  definitionPath: string,
): Promise<UserWorkflow> {
  // The names come first (CreateActivity gives the ARNs), then the definition is re-pointed at those ARNs.
  const { activities } = loadUserDefinition(definitionPath, (name) => name);
  const activityArns = new Map<string, string>();
  for (const name of activities) activityArns.set(name, await createActivity(client, name, sfnTarget(sfn)));
  const user = loadUserDefinition(definitionPath, (name) => activityArns.get(name) ?? name);
  const stateMachineArn = await createStateMachine(sfn.endpoint, user.name, user.definition, definitionPath);
  return { activityArns, stateMachineArn };
}
