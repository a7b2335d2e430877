// The state machine dev runs and the workers that serve it: the sample with the example worker, or the
// user's definition (`--definition`) with their `--worker` module (or the example worker).
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SfnConnectionOptions } from '@sfn-bullmq/protocol';
import type { Logger } from 'pino';
import type { DevOptions } from './dev-options.js';
import type { Say } from './dev-output.js';
import type { DevStack } from './dev-stack.js';
import { startExampleWorkers } from './example-workers.js';
import { createSampleWorkflow } from './sample-workflow.js';
import type { PreparedUserRun } from './user-run.js';
import { createUserWorkflow } from './user-workflow.js';
import { UserWorkers } from './user-workers.js';

export interface DevWorkflow {
  activityArns: string[];
  stateMachineArn: string;
}

export async function createDevWorkflow(
  options: DevOptions,
  client: SFNClient,
  sfn: SfnConnectionOptions,
): Promise<DevWorkflow> {
  if (options.definition !== undefined && sfn.endpoint !== undefined) {
    const user = await createUserWorkflow(
      client,
      { ...sfn, endpoint: sfn.endpoint },
      options.definition.definitionPath,
    );
    return { activityArns: [...user.activityArns.values()], stateMachineArn: user.stateMachineArn };
  }
  const sample = await createSampleWorkflow(client, sfn, options.roleArn);
  return {
    activityArns: [sample.activityArns.resize, sample.activityArns.charge],
    stateMachineArn: sample.stateMachineArn,
  };
}

export interface DevWorkersParts {
  options: DevOptions;
  prepared: PreparedUserRun | undefined;
  redisUrl: string;
  sfn: SfnConnectionOptions;
  workerEnv: Record<string, string>;
  logDir: string;
  logger: Logger;
  running: () => boolean;
}

/** `--worker`'s handlers in this process, else the example worker processes. */
export async function startDevWorkers(parts: DevWorkersParts, stack: DevStack, say: Say): Promise<void> {
  const handlers = parts.prepared?.handlers;
  if (handlers === undefined) {
    startExampleWorkers({ ...parts, sfnEnv: parts.workerEnv }, stack, say);
    return;
  }
  stack.userWorkers = new UserWorkers({
    handlers,
    redisUrl: parts.redisUrl,
    sfn: parts.sfn,
    concurrency: parts.options.concurrency,
    logger: parts.logger,
  });
  await stack.userWorkers.waitUntilReady();
  say(
    `workers    ${parts.options.definition?.workerPath ?? ''}: ${[...handlers.keys()].join(', ')}, ` +
      `concurrency ${parts.options.concurrency} each`,
  );
}
