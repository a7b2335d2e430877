// Creates the sample's activities and state machine (both idempotent, on AWS too).
// The state machine dev runs is chosen here.
import { CreateStateMachineCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { SfnConnectionOptions } from '@sfn-bullmq/protocol';
import { createActivity } from '../bridge-service.js';
import { sfnCall, sfnTarget } from '../command-error.js';
import { SAMPLE_ACTIVITIES, sampleDefinition, sampleStateMachineName } from './sample-state-machine.js';

export interface SampleWorkflow {
  /** Activity ARNs the bridge polls, by sample activity. */
  activityArns: { resize: string; charge: string };
  stateMachineArn: string;
}

export async function createSampleWorkflow(
  client: SFNClient,
  sfn: SfnConnectionOptions,
  roleArn: string | undefined,
): Promise<SampleWorkflow> {
  const target = sfnTarget(sfn);
  const resize = await createActivity(client, SAMPLE_ACTIVITIES.resize, target);
  const charge = await createActivity(client, SAMPLE_ACTIVITIES.charge, target);
  const definition = JSON.stringify(sampleDefinition({ resize, charge }));
  const machine = await sfnCall('CreateStateMachine', target, () =>
    client.send(
      new CreateStateMachineCommand({
        name: sampleStateMachineName(definition),
        definition,
        roleArn: roleArn ?? 'arn:aws:iam::123456789012:role/sfn-bullmq-dev',
        type: 'STANDARD',
      }),
    ),
  );
  return { activityArns: { resize, charge }, stateMachineArn: machine.stateMachineArn ?? '' };
}
