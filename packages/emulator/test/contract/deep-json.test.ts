// Contract (emulator only): JSON nested deeper than the emulator can walk. Input and output past
// MAX_JSON_DEPTH are refused before they enter an execution; anything unexpected inside one fails it.
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetActivityTaskCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  type DescribeExecutionCommandOutput,
} from '@aws-sdk/client-sfn';
import { uniqueName } from '@sfn-bullmq/test-support';
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../../src/index.js';
import { onAws, useTargetPerTest, type ContractTarget } from './target.js';

const roleArn = 'arn:aws:iam::123456789012:role/contract';

/** `[[[…]]]` with `depth` arrays. */
const nestedArrays = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
/** `{"a":{"a":…1}}` with `depth` objects. */
const nestedObjects = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

describe.skipIf(onAws)('deeply nested JSON', () => {
  const start = useTargetPerTest();

  async function createMachine(t: ContractTarget, definition: object): Promise<string> {
    const out = await t.client.send(
      new CreateStateMachineCommand({
        name: uniqueName('deep').slice(0, 80),
        definition: JSON.stringify(definition),
        roleArn,
      }),
    );
    return out.stateMachineArn!;
  }

  async function finished(t: ContractTarget, executionArn: string): Promise<DescribeExecutionCommandOutput> {
    const deadline = Date.now() + 15_000;
    let last: DescribeExecutionCommandOutput | undefined;
    while (Date.now() < deadline) {
      last = await t.client.send(new DescribeExecutionCommand({ executionArn }));
      if (last.status !== 'RUNNING') return last;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`execution still ${last?.status ?? 'unknown'}`);
  }

  const passMachine = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };

  it('refuses StartExecution input nested 5,000 levels with InvalidExecutionInput, leaving no execution', async () => {
    const t = await start();
    const machineArn = await createMachine(t, passMachine);
    for (const input of [nestedArrays(5000), nestedObjects(5000), `{"a":${nestedArrays(MAX_JSON_DEPTH)}}`]) {
      // A name makes a retried StartExecution idempotent: a half-started execution would answer 200 on retry.
      const failure = (await t.client
        .send(new StartExecutionCommand({ stateMachineArn: machineArn, name: uniqueName('x'), input }))
        .catch((error: unknown) => error)) as { name: string; message: string; $metadata: object };
      expect(failure).toMatchObject({ name: 'InvalidExecutionInput', $metadata: { httpStatusCode: 400 } });
      expect(failure.message).toContain(`${MAX_JSON_DEPTH}`);
      expect(failure.message).not.toContain('injected');
    }
    const listed = await t.client.send(new ListExecutionsCommand({ stateMachineArn: machineArn }));
    expect(listed.executions).toEqual([]);
    expect(t.emulator!.stats().executions).toMatchObject({ running: 0 });
    expect(t.emulator!.stats().totals).toMatchObject({ injectedErrors: 0, internalErrors: 0 });
  });

  it(`runs input nested exactly ${MAX_JSON_DEPTH} levels to the end`, async () => {
    const t = await start();
    const machineArn = await createMachine(t, passMachine);
    const input = nestedObjects(MAX_JSON_DEPTH);
    const { executionArn } = await t.client.send(
      new StartExecutionCommand({ stateMachineArn: machineArn, input }),
    );
    const done = await finished(t, executionArn!);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.output).toBe(input);
  });

  it('refuses SendTaskSuccess output nested 6,000 levels with InvalidOutput; the task stays open', async () => {
    const t = await start();
    const activityArn = await t.createActivity('deep');
    const machineArn = await createMachine(t, {
      StartAt: 'Work',
      States: { Work: { Type: 'Task', Resource: activityArn, End: true } },
    });
    const { executionArn } = await t.client.send(new StartExecutionCommand({ stateMachineArn: machineArn }));
    const task = await t.pollClient.send(new GetActivityTaskCommand({ activityArn }));
    expect(task.taskToken).toBeTruthy();
    const failure = (await t.client
      .send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: nestedArrays(6000) }))
      .catch((error: unknown) => error)) as { name: string; message: string };
    expect(failure).toMatchObject({ name: 'InvalidOutput' });
    expect(failure.message).not.toContain('injected');
    const meanwhile = await t.client.send(new DescribeExecutionCommand({ executionArn }));
    expect(meanwhile.status).toBe('RUNNING');
    // The worker can still report a good result.
    await t.client.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: '{"ok":true}' }));
    const done = await finished(t, executionArn!);
    expect(done).toMatchObject({ status: 'SUCCEEDED', output: '{"ok":true}' });
    expect(t.emulator!.stats().totals).toMatchObject({ injectedErrors: 0, internalErrors: 0 });
  });

  it('refuses a definition nested deeper than the limit with InvalidDefinition', async () => {
    const t = await start();
    const failure = await t.client
      .send(
        new CreateStateMachineCommand({
          name: uniqueName('deep-def').slice(0, 80),
          definition: `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true,"Parameters":${nestedObjects(5000)}}}}`,
          roleArn,
        }),
      )
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'InvalidDefinition' });
    expect((failure as Error).message).not.toContain('injected');
  });

  it('fails an execution whose data outgrows what the engine can walk with States.Runtime, never leaving it RUNNING', async () => {
    const t = await start();
    // Each Pass state wraps its input nearly MAX_JSON_DEPTH levels deeper: every piece is within the limit,
    // but after a few states the data is deeper than a recursive walk (JSON.stringify) survives.
    let template = '{"x.$":"$"}';
    for (let depth = 1; depth < MAX_JSON_DEPTH - 10; depth += 1) template = `{"a":${template}}`;
    const states = Array.from(
      { length: 8 },
      (_, index) =>
        `"P${index}":{"Type":"Pass","Parameters":${template},${index < 7 ? `"Next":"P${index + 1}"` : '"End":true'}}`,
    );
    const { stateMachineArn: machineArn } = await t.client.send(
      new CreateStateMachineCommand({
        name: uniqueName('grow').slice(0, 80),
        definition: `{"StartAt":"P0","States":{${states.join(',')}}}`,
        roleArn,
      }),
    );
    const name = uniqueName('grow');
    const started = await t.client.send(
      new StartExecutionCommand({ stateMachineArn: machineArn, name, input: '{}' }),
    );
    expect(started.$metadata.attempts).toBe(1);
    const done = await finished(t, started.executionArn!);
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('States.Runtime');
    expect(done.cause).not.toContain('injected');
    const last = await t.client.send(
      new GetExecutionHistoryCommand({
        executionArn: started.executionArn,
        reverseOrder: true,
        maxResults: 1,
      }),
    );
    expect(last.events?.[0]?.type).toBe('ExecutionFailed');
    expect(t.emulator!.stats().executions).toMatchObject({ running: 0, failed: 1 });
  });
});
