// Dev with the user's own machine (`--definition`): every input checked before anything starts, the
// executions' ends shown as they come (status and output, or error and cause with where the history is).
import type { DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { loadUserDefinition } from '../definition/user-definition.js';
import { loadUserInput } from '../definition/user-input.js';
import { UsageError } from '../usage-error.js';
import type { UserRun } from './dev-options.js';
import type { Say } from './dev-output.js';
import { SAMPLE_ACTIVITIES } from './sample-state-machine.js';
import { loadUserHandlers, type UserHandlers } from './user-handlers.js';

export interface PreparedUserRun {
  /** Execution input as JSON text. */
  input: string;
  /** `--worker`'s handlers by activity; undefined runs the example worker. */
  handlers: UserHandlers | undefined;
}

/** Reads the definition, the input and the worker module; throws UsageError naming the flag and the file. */
export async function prepareUserRun(run: UserRun): Promise<PreparedUserRun> {
  const { activities } = loadUserDefinition(run.definitionPath, (name) => name);
  if (activities.length === 0) {
    throw new UsageError(
      `--definition: '${run.definitionPath}' names no activity (no Task with an activity ARN ` +
        `'arn:aws:states:REGION:ACCOUNT:activity:NAME'): dev runs a machine's activities through the bridge`,
    );
  }
  const input = loadUserInput(run.inputPath);
  if (run.workerPath !== undefined) {
    return { input, handlers: await loadUserHandlers(run.workerPath, activities) };
  }
  const served: readonly string[] = Object.values(SAMPLE_ACTIVITIES);
  const unserved = activities.filter((name) => !served.includes(name));
  if (unserved.length > 0) {
    throw new UsageError(
      `--definition: the example worker has no handler for ${unserved.map((n) => `'${n}'`).join(', ')} ` +
        `(it serves ${served.join(', ')}): pass --worker MODULE with your handlers`,
    );
  }
  return { input, handlers: undefined };
}

/** Where an execution's full history is, as a command to paste. */
function historyCommand(endpoint: string, executionArn: string): string {
  return `aws stepfunctions get-execution-history --endpoint-url ${endpoint} --execution-arn ${executionArn}`;
}

/**
 * Says how an execution ended. Once, each end is shown in full; at a rate, only failures are (with where
 * their history is), the rest are counted on the progress line.
 */
export function executionEndLines(
  execution: DescribeExecutionCommandOutput,
  endpoint: string,
  once: boolean,
): string[] {
  const arn = execution.executionArn ?? '';
  if (execution.status === 'SUCCEEDED') {
    return once ? [`execution  ${arn} SUCCEEDED`, `output     ${execution.output ?? 'null'}`] : [];
  }
  return [
    `execution  ${arn} ${execution.status ?? 'ended'}`,
    ...(execution.error !== undefined ? [`error      ${execution.error}`] : []),
    ...(execution.cause !== undefined ? [`cause      ${execution.cause}`] : []),
    `history    ${historyCommand(endpoint, arn)}`,
  ];
}

/** Resolves with the first execution's end, or undefined if it could not be started. */
export class FirstEnd {
  private settle: (end: DescribeExecutionCommandOutput | undefined) => void = () => undefined;
  readonly ended = new Promise<DescribeExecutionCommandOutput | undefined>((resolve) => {
    this.settle = resolve;
  });

  end(execution: DescribeExecutionCommandOutput): void {
    this.settle(execution);
  }

  startFailed(): void {
    this.settle(undefined);
  }
}

export function sayUserRunning(
  say: Say,
  run: UserRun,
  ratePerSecond: number,
  endpoint: string,
  machineArn: string,
): void {
  say(`workflow   ${machineArn} (from ${run.definitionPath})`);
  if (run.once) {
    say(`running    one execution with ${run.inputPath ?? 'input {}'}; dev exits when it ends`);
    return;
  }
  say(`running    ${ratePerSecond} executions/s of it with ${run.inputPath ?? 'input {}'}; Ctrl-C to stop`);
  say(
    `history    the executions: aws stepfunctions list-executions --endpoint-url ${endpoint} ` +
      `--state-machine-arn ${machineArn}; each one's: ${historyCommand(endpoint, 'ARN')}`,
  );
}
