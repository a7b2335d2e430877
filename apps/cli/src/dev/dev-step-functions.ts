// Dev's Step Functions: the embedded emulator, another endpoint (--sfn-endpoint), or AWS (--aws);
// the connection the bridge uses and the environment the example workers get for the same endpoint.
import { startEmulator } from '@sfn-bullmq/emulator';
import type { SfnConnectionOptions } from '@sfn-bullmq/protocol';
import type { DevEnv, DevOptions } from './dev-options.js';
import type { Say } from './dev-output.js';
import type { DevStack } from './dev-stack.js';

export interface DevStepFunctions {
  sfn: SfnConnectionOptions;
  /** Environment for the example worker processes: region, endpoint and credentials. */
  workerEnv: Record<string, string>;
}

export async function connectDevStepFunctions(
  options: DevOptions,
  env: DevEnv,
  stack: DevStack,
  say: Say,
): Promise<DevStepFunctions> {
  const sfn: SfnConnectionOptions = { region: options.region };
  const workerEnv: Record<string, string> = { AWS_REGION: options.region };
  if (options.aws) {
    say(`sfn        AWS Step Functions in ${options.region} (credentials from the standard AWS chain)`);
    return { sfn, workerEnv };
  }
  if (options.sfnEndpoint !== undefined) {
    sfn.endpoint = options.sfnEndpoint;
  } else {
    stack.emulator = await startEmulator({ region: options.region, pollTimeoutMs: options.pollTimeoutMs });
    sfn.endpoint = stack.emulator.endpoint;
  }
  // The emulator takes any credentials; give the SDK some when the environment has none.
  const credentials = {
    accessKeyId: env['AWS_ACCESS_KEY_ID'] ?? 'local',
    secretAccessKey: env['AWS_SECRET_ACCESS_KEY'] ?? 'local',
  };
  sfn.credentials = credentials;
  say(
    `emulator   ${sfn.endpoint}${stack.emulator ? ` (embedded, polls held ${options.pollTimeoutMs} ms)` : ''}`,
  );
  return {
    sfn,
    workerEnv: {
      ...workerEnv,
      SFN_ENDPOINT: sfn.endpoint,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    },
  };
}
