// Step Functions executions against the packed CLI's emulator, started with the real AWS SDK:
// a state machine of one activity Task, N executions, and a wait until each has ended.
import { randomUUID } from 'node:crypto';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
  type DescribeExecutionCommandOutput,
} from '@aws-sdk/client-sfn';

/** Some executions did not succeed; the message lists each with its status, error and cause. */
class ExecutionsFailedError extends Error {
  override readonly name = 'ExecutionsFailedError';
}

export interface ExecutionResult {
  executionArn: string;
  status: string;
  output: unknown;
}

/** Drives executions of a one-Task state machine on an emulator; `close()` destroys its client. */
export class ExecutionDriver {
  private readonly client: SFNClient;

  constructor(endpoint: string, region = 'us-east-1') {
    // The emulator takes any credentials; fixed ones keep the SDK's chain (and its metadata probe) out of it.
    this.client = new SFNClient({
      endpoint,
      region,
      credentials: { accessKeyId: 'consumer', secretAccessKey: 'consumer' },
    });
  }

  /** A state machine whose only state is a Task on `activityArn`. */
  async createStateMachine(activityArn: string): Promise<string> {
    const definition = {
      StartAt: 'Work',
      States: {
        // HeartbeatSeconds bounds what a lost token could cost; no Retry, so a failure shows as one.
        Work: { Type: 'Task', Resource: activityArn, TimeoutSeconds: 120, HeartbeatSeconds: 60, End: true },
      },
    };
    const created = await this.client.send(
      new CreateStateMachineCommand({
        name: `consumer-${randomUUID()}`,
        definition: JSON.stringify(definition),
        roleArn: 'arn:aws:iam::123456789012:role/consumer-test',
        type: 'STANDARD',
      }),
    );
    if (created.stateMachineArn === undefined) throw new Error('CreateStateMachine returned no ARN');
    return created.stateMachineArn;
  }

  /**
   * Starts `count` executions with `input(i)` and waits until every one has ended (polling
   * DescribeExecution); resolves with their results if all succeeded, rejects naming the ones that did not.
   */
  async runAll(
    stateMachineArn: string,
    count: number,
    input: (i: number) => unknown,
    options: { timeoutMs?: number; whileWaiting?: Promise<never> } = {},
  ): Promise<ExecutionResult[]> {
    const arns: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const started = await this.client.send(
        new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input(i)) }),
      );
      if (started.executionArn === undefined) throw new Error('StartExecution returned no ARN');
      arns.push(started.executionArn);
    }
    const wait = this.waitForEnd(arns, options.timeoutMs ?? 90_000);
    const ended = await (options.whileWaiting ? Promise.race([wait, options.whileWaiting]) : wait);
    const failed = ended.filter((e) => e.status !== 'SUCCEEDED');
    if (failed.length > 0) {
      const lines = await Promise.all(failed.map((e) => this.describeFailure(e)));
      throw new ExecutionsFailedError(
        `${failed.length} of ${count} executions did not succeed:\n${lines.join('\n')}`,
      );
    }
    return ended.map((e) => ({
      executionArn: e.executionArn ?? '',
      status: e.status ?? '',
      output: e.output === undefined ? undefined : (JSON.parse(e.output) as unknown),
    }));
  }

  close(): void {
    this.client.destroy();
  }

  private async waitForEnd(
    arns: readonly string[],
    timeoutMs: number,
  ): Promise<DescribeExecutionCommandOutput[]> {
    const deadline = Date.now() + timeoutMs;
    const ended = new Map<string, DescribeExecutionCommandOutput>();
    for (;;) {
      for (const executionArn of arns) {
        if (ended.has(executionArn)) continue;
        const described = await this.client.send(new DescribeExecutionCommand({ executionArn }));
        if (described.status !== 'RUNNING') ended.set(executionArn, described);
      }
      if (ended.size === arns.length)
        return arns.map((arn) => ended.get(arn) as DescribeExecutionCommandOutput);
      if (Date.now() > deadline) {
        // Still running ones are reported as they are: a failure message, not a silent timeout.
        for (const executionArn of arns) {
          if (!ended.has(executionArn)) {
            ended.set(executionArn, await this.client.send(new DescribeExecutionCommand({ executionArn })));
          }
        }
        return arns.map((arn) => ended.get(arn) as DescribeExecutionCommandOutput);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** One line per execution that did not succeed: status, and the events that say why. */
  private async describeFailure(execution: DescribeExecutionCommandOutput): Promise<string> {
    const arn = execution.executionArn ?? '?';
    const history = await this.client.send(new GetExecutionHistoryCommand({ executionArn: arn }));
    const events = (history.events ?? []).map((event) => {
      const details =
        event.activityFailedEventDetails ??
        event.activityTimedOutEventDetails ??
        event.executionFailedEventDetails ??
        undefined;
      return details ? `${event.type} ${JSON.stringify(details)}` : event.type;
    });
    return `  ${arn}: ${execution.status ?? '?'}${execution.error ? ` ${execution.error}` : ''} — ${events.join(', ')}`;
  }
}
