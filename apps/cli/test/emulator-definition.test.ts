// `sfn-bullmq emulator --definition FILE`: the user's own machine created at start, with the activities
// its Tasks name (re-pointed at the emulator), and run end to end through the SDK.
import { fileURLToPath } from 'node:url';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  GetActivityTaskCommand,
  SFNClient,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { until } from '@sfn-bullmq/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from './cli-process.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}.asl.json`, import.meta.url));
// The same machine in both query languages, to the same output. JSONata: Arguments/Output/Assign, Condition,
// Items (https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html).
const MACHINES = [
  ['JSONPath with intrinsics', 'orders'],
  ['JSONata with variables', 'orders-jsonata'],
] as const;
const runs: CliRun[] = [];
const clients: SFNClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await Promise.all(runs.splice(0).map((run) => run.kill()));
});

describe('sfn-bullmq emulator --definition', () => {
  it.each(MACHINES)(
    'creates the machine and its activities, and runs it: Map + Parallel + Choice + Retry/Catch, %s',
    async (_what, name) => {
      const cli = runCli([
        'emulator',
        '--port',
        '0',
        '--poll-timeout-ms',
        '500',
        '--definition',
        fixture(name),
      ]);
      runs.push(cli);
      const [, endpoint] = (await cli.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/)) as unknown as [
        string,
        string,
      ];
      // The file's ARN (another region and account) is re-pointed at the emulator's activity of that name.
      await cli.waitFor(/activity arn:aws:states:us-east-1:123456789012:activity:charge-card/);
      const [, machineArn] = (await cli.waitFor(
        new RegExp(`state machine (arn:aws:states:\\S+:stateMachine:${name})(\\s|$)`),
      )) as unknown as [string, string];
      const client = new SFNClient({
        endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      });
      clients.push(client);
      const { executionArn } = await client.send(
        new StartExecutionCommand({
          stateMachineArn: machineArn,
          input: JSON.stringify({
            orders: [
              { id: 'a', qty: 1 },
              { id: 'b', qty: 500 },
              { id: 'c', qty: 2 },
            ],
          }),
        }),
      );
      // Order a is charged; order c's card is declined twice (one retry), so its Catch marks it unpaid.
      const activityArn = 'arn:aws:states:us-east-1:123456789012:activity:charge-card';
      let declines = 0;
      await until(
        async () => {
          const task = await client.send(new GetActivityTaskCommand({ activityArn }));
          if (task.taskToken) {
            const input = JSON.parse(task.input!) as { id: string };
            if (input.id === 'c') {
              declines += 1;
              await client.send(
                new SendTaskFailureCommand({ taskToken: task.taskToken, error: 'Card.Declined' }),
              );
            } else {
              await client.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: '"paid"' }));
            }
          }
          const described = await client.send(new DescribeExecutionCommand({ executionArn }));
          return described.status !== 'RUNNING' ? described : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 0 },
      ).then((described) => {
        expect(described?.status).toBe('SUCCEEDED');
        expect(JSON.parse(described?.output ?? 'null')).toEqual({
          count: 3,
          results: [
            { charge: 'paid', label: '#a' },
            { id: 'b', status: 'rejected', note: 'order b asks for 500' },
            { charge: 'unpaid', label: '#c' },
          ],
        });
      });
      expect(declines).toBe(2);
    },
  );

  it('exits 2 naming the file when the emulator refuses the definition', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sfn-def-'));
    const file = join(dir, 'broken.asl.json');
    writeFileSync(file, JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } }));
    const cli = runCli(['emulator', '--port', '0', '--definition', file]);
    runs.push(cli);
    const exited = await cli.exited;
    expect(exited.code).toBe(2);
    expect(cli.stderr()).toContain(`--definition: '${file}' was refused: InvalidDefinition`);
    expect(cli.stderr()).toContain("Missing 'Next' target: Nowhere");
  });
});
