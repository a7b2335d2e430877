// The packed CLI as a consumer runs it: `node <project>/node_modules/sfn-bullmq/bin/sfn-bullmq.js`,
// and the emulator every check talks to, started from it.
import { join } from 'node:path';
import type { ConsumerContext } from './npm-project.js';
import type { ServiceProcess, ServiceProcesses } from './service-process.js';

/** The environment of every child: dummy credentials for the emulator, and no instance-metadata probe. */
export const CHILD_ENV: Record<string, string> = {
  AWS_ACCESS_KEY_ID: 'consumer',
  AWS_SECRET_ACCESS_KEY: 'consumer',
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
  // The SDK's notice that releases after January 2027 need Node 22 would only bury the output (docs/aws-sdk.md#pinned-sdk-version).
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** How long the emulator holds a poll: short, so that a bridge's graceful stop drains in seconds. */
const EMULATOR_POLL_TIMEOUT_MS = 2_000;

/** The folder of the project holding the packed CLI; throws why there is none. */
export function cliProjectDir(context: ConsumerContext): string {
  if ('error' in context.cli) {
    throw new Error(`the packed CLI (sfn-bullmq) could not be installed:\n${context.cli.error}`);
  }
  return context.cli.dir;
}

/** The CLI's bin script inside a project (or a deploy folder: `bin/` is at its top). */
export function cliBin(projectDir: string): string {
  return join(projectDir, 'node_modules', 'sfn-bullmq', 'bin', 'sfn-bullmq.js');
}

export interface RunningEmulator {
  endpoint: string;
  /** Activity name → ARN, for the activities given at start. */
  activityArns: Record<string, string>;
  process: ServiceProcess;
}

/** Starts `sfn-bullmq emulator --port 0` from `bin` and reads its endpoint and activity ARNs from its output. */
export async function startEmulator(
  services: ServiceProcesses,
  bin: string,
  cwd: string,
  activities: readonly string[],
): Promise<RunningEmulator> {
  const args = [bin, 'emulator', '--port', '0', '--poll-timeout-ms', String(EMULATOR_POLL_TIMEOUT_MS)];
  for (const name of activities) args.push('--activity', name);
  const emulator = services.spawn('emulator', process.execPath, args, { cwd, env: CHILD_ENV });
  // The last line it prints at start; the endpoint and ARNs come before it.
  await emulator.waitForOutput(/use it with: SFN_ENDPOINT=/);
  const endpoint = emulator.text.match(/listening on (http:\/\/\S+)/)?.[1];
  if (endpoint === undefined) throw emulator.failure('printed no endpoint');
  const activityArns: Record<string, string> = {};
  for (const [, arn] of emulator.text.matchAll(/activity (arn:aws:states:\S+)/g)) {
    if (arn !== undefined) activityArns[arn.slice(arn.lastIndexOf(':') + 1)] = arn;
  }
  for (const name of activities) {
    if (activityArns[name] === undefined) throw emulator.failure(`printed no ARN for activity ${name}`);
  }
  return { endpoint, activityArns, process: emulator };
}
