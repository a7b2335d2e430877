import type {} from '@sfn-bullmq/test-support/vitest-global-setup';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { uniqueName, until } from '@sfn-bullmq/test-support';
import { describe, expect, it } from 'vitest';
import {
  ActivityFailure,
  type ActivityWorker,
  TASK_GONE_JOB_ERROR,
  type ActivityHandler,
} from '../src/index.js';
import { finishedJob, pollAndEnqueue } from './harness.js';
import { abortWaiter, useWorkerSuite } from './support.js';

const suite = useWorkerSuite();
const { activity } = suite;

function worker<I, O>(
  queueName: string,
  handler: ActivityHandler<I, O>,
  heartbeatIntervalMs = 10_000,
): ActivityWorker<I, O> {
  return suite.worker(queueName, handler, { heartbeatIntervalMs, minHeartbeatGapMs: 50 });
}

/** A state machine with one activity Task that catches `CardDeclined` into a handled end. */
async function chargeMachine(activityArn: string): Promise<string> {
  const definition = {
    StartAt: 'Charge',
    States: {
      Charge: {
        Type: 'Task',
        Resource: activityArn,
        HeartbeatSeconds: 30,
        Catch: [{ ErrorEquals: ['CardDeclined'], ResultPath: '$.declined', Next: 'Declined' }],
        Next: 'Charged',
      },
      Declined: { Type: 'Pass', Result: 'handled', ResultPath: '$.handled', End: true },
      Charged: { Type: 'Succeed' },
    },
  };
  const created = await suite.harness.sfn.send(
    new CreateStateMachineCommand({
      name: uniqueName('charge'),
      definition: JSON.stringify(definition),
      roleArn: 'arn:aws:iam::123456789012:role/test',
    }),
  );
  return created.stateMachineArn!;
}

async function finishedExecution(executionArn: string) {
  let status: string | undefined;
  await until(
    async () => {
      const described = await suite.harness.sfn.send(new DescribeExecutionCommand({ executionArn }));
      status = described.status;
      return status !== 'RUNNING';
    },
    { what: 'the execution to finish' },
  );
  return suite.harness.sfn.send(new DescribeExecutionCommand({ executionArn }));
}

describe('ActivityWorker with state machines', () => {
  it('routes a typed failure to the Catch that names its error', async () => {
    const act = activity();
    worker(act.name, (input: { amountCents: number; declined?: boolean }) => {
      if (input.declined === true) throw ActivityFailure.nonRetryable('Card declined', 'CardDeclined');
      return { charged: input.amountCents };
    });
    const stateMachineArn = await chargeMachine(act.arn);
    const declined = await suite.harness.sfn.send(
      new StartExecutionCommand({
        stateMachineArn,
        input: JSON.stringify({ amountCents: 5, declined: true }),
      }),
    );
    await pollAndEnqueue(suite.harness, act);
    const described = await finishedExecution(declined.executionArn!);
    expect(described.status).toBe('SUCCEEDED');
    const output = JSON.parse(described.output!) as {
      handled?: string;
      declined?: { Error?: string; Cause?: string };
    };
    expect(output.handled).toBe('handled');
    expect(output.declined?.Error).toBe('CardDeclined');
    expect(JSON.parse(output.declined!.Cause!)).toMatchObject({ errorMessage: 'Card declined' });

    const charged = await suite.harness.sfn.send(
      new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ amountCents: 5 }) }),
    );
    await pollAndEnqueue(suite.harness, act);
    const succeeded = await finishedExecution(charged.executionArn!);
    expect(succeeded.status).toBe('SUCCEEDED');
    expect(JSON.parse(succeeded.output!)).toEqual({ charged: 5 });
  });

  it("aborts the signal with 'task-gone' when the execution is stopped mid-run, and reports nothing", async () => {
    const act = activity();
    const waiter = abortWaiter();
    worker(act.name, waiter.handler, 200);
    const stateMachineArn = await chargeMachine(act.arn);
    const execution = await suite.harness.sfn.send(
      new StartExecutionCommand({ stateMachineArn, input: '{}' }),
    );
    const { job } = await pollAndEnqueue(suite.harness, act);
    await until(() => waiter.started, { what: 'the handler to start' });
    await suite.harness.sfn.send(new StopExecutionCommand({ executionArn: execution.executionArn! }));
    const finished = await finishedJob(act.queue, job!.id!);
    expect(waiter.reason).toBe('task-gone');
    expect(finished.failedReason).toContain(TASK_GONE_JOB_ERROR);
    expect((await finishedExecution(execution.executionArn!)).status).toBe('ABORTED');
    expect(suite.harness.emulator.stats().activities[act.arn]).toMatchObject({ succeeded: 0, failed: 0 });
  });
});
