// Contract: state machines and executions through the real SDK over HTTP: an activity Task completed by a
// poller, Retry/Catch on error names, TimeoutSeconds/HeartbeatSeconds expiry, StopExecution, history.
import {
  CreateStateMachineCommand,
  DeleteActivityCommand,
  DeleteStateMachineCommand,
  DescribeExecutionCommand,
  GetActivityTaskCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StopExecutionCommand,
  type DescribeExecutionCommandOutput,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { uniqueName, until } from '@sfn-bullmq/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { onAws, startTarget, type ContractTarget } from './target.js';

// On AWS a state machine needs a real role; without one these tests only run against the emulator.
const roleArn = process.env['SFN_CONTRACT_ROLE_ARN'] ?? 'arn:aws:iam::123456789012:role/contract';
const runnable = !onAws || process.env['SFN_CONTRACT_ROLE_ARN'] !== undefined;

describe.skipIf(!runnable)('executions', () => {
  let target: ContractTarget;
  const machines: string[] = [];

  beforeEach(async () => {
    target = await startTarget();
  });

  afterEach(async () => {
    await Promise.allSettled(
      machines
        .splice(0)
        .map((stateMachineArn) => target.client.send(new DeleteStateMachineCommand({ stateMachineArn }))),
    );
    await target.close();
  });

  async function createMachine(definition: object): Promise<string> {
    const out = await target.client.send(
      new CreateStateMachineCommand({
        name: uniqueName('machine').slice(0, 80),
        definition: JSON.stringify(definition),
        roleArn,
      }),
    );
    machines.push(out.stateMachineArn!);
    return out.stateMachineArn!;
  }

  async function start(stateMachineArn: string, input: unknown = {}): Promise<string> {
    const out = await target.client.send(
      new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }),
    );
    return out.executionArn!;
  }

  /** Long-polls until a task arrives. */
  async function poll(activityArn: string, workerName?: string): Promise<{ token: string; input: string }> {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const out = await target.pollClient.send(new GetActivityTaskCommand({ activityArn, workerName }));
      if (out.taskToken) return { token: out.taskToken, input: out.input ?? '' };
    }
    throw new Error('no task arrived');
  }

  async function describeExecution(executionArn: string): Promise<DescribeExecutionCommandOutput> {
    return target.client.send(new DescribeExecutionCommand({ executionArn }));
  }

  async function finished(executionArn: string, timeoutMs = 15_000): Promise<DescribeExecutionCommandOutput> {
    let last: DescribeExecutionCommandOutput | undefined;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      last = await describeExecution(executionArn);
      if (last.status !== 'RUNNING') return last;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`execution still ${last?.status ?? 'unknown'}`);
  }

  async function history(executionArn: string): Promise<HistoryEvent[]> {
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await target.client.send(
        new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }),
      );
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return events;
  }

  /** A machine starting at `Work`, an activity Task that ends it (unless `work` says otherwise), plus `others`. */
  const workMachine = (activityArn: string, work: object = {}, others: object = {}) => ({
    StartAt: 'Work',
    States: { Work: { Type: 'Task', Resource: activityArn, End: true, ...work }, ...others },
  });

  it('runs an activity Task completed by a poller and records the history AWS records', async () => {
    const activityArn = await target.createActivity('exec');
    const machine = await createMachine(
      workMachine(activityArn, { TimeoutSeconds: 30, HeartbeatSeconds: 10 }),
    );
    const executionArn = await start(machine, { n: 1 });
    const task = await poll(activityArn, 'worker-7');
    expect(JSON.parse(task.input)).toEqual({ n: 1 });
    await target.client.send(new SendTaskSuccessCommand({ taskToken: task.token, output: '{"done":true}' }));

    const done = await finished(executionArn);
    expect(done).toMatchObject({ status: 'SUCCEEDED', output: '{"done":true}', input: '{"n":1}' });
    expect(done.startDate).toBeInstanceOf(Date);
    expect(done.stopDate).toBeInstanceOf(Date);

    const events = await history(executionArn);
    expect(events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'ActivityScheduled',
      'ActivityStarted',
      'ActivitySucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(events[0]?.timestamp).toBeInstanceOf(Date);
    expect(events[2]?.activityScheduledEventDetails).toMatchObject({
      resource: activityArn,
      input: '{"n":1}',
      timeoutInSeconds: 30,
      heartbeatInSeconds: 10,
    });
    expect(events[3]?.activityStartedEventDetails).toEqual({ workerName: 'worker-7' });
    expect(events[4]?.activitySucceededEventDetails?.output).toBe('{"done":true}');
    expect(events[5]?.stateExitedEventDetails).toMatchObject({ name: 'Work', output: '{"done":true}' });

    const reversed = await target.client.send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: 2, reverseOrder: true }),
    );
    expect(reversed.events?.map((e) => e.id)).toEqual([7, 6]);
    expect(reversed.nextToken).toBeDefined();

    const listed = await target.client.send(new ListExecutionsCommand({ stateMachineArn: machine }));
    expect(listed.executions?.map((e) => e.executionArn)).toEqual([executionArn]);
  });

  it('retries a failure named in Retry, then catches another by name', async () => {
    const activityArn = await target.createActivity('retry');
    const machine = await createMachine(
      workMachine(
        activityArn,
        {
          Retry: [{ ErrorEquals: ['Busy'], IntervalSeconds: 1, MaxAttempts: 1 }],
          Catch: [{ ErrorEquals: ['Fatal'], Next: 'Recovered', ResultPath: '$.error' }],
        },
        { Recovered: { Type: 'Pass', End: true } },
      ),
    );
    const executionArn = await start(machine, { n: 2 });
    const first = await poll(activityArn);
    await target.client.send(
      new SendTaskFailureCommand({ taskToken: first.token, error: 'Busy', cause: 'later' }),
    );
    const second = await poll(activityArn);
    expect(second.token).not.toBe(first.token);
    await target.client.send(
      new SendTaskFailureCommand({ taskToken: second.token, error: 'Fatal', cause: 'no' }),
    );

    const done = await finished(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ n: 2, error: { Error: 'Fatal', Cause: 'no' } });
    const events = await history(executionArn);
    expect(events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'ActivityScheduled',
      'ActivityStarted',
      'ActivityFailed',
      'ActivityScheduled',
      'ActivityStarted',
      'ActivityFailed',
      'TaskStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events[4]?.activityFailedEventDetails).toEqual({ error: 'Busy', cause: 'later' });
  });

  it('times a started task out after TimeoutSeconds: States.Timeout, not caught by States.TaskFailed', async () => {
    const activityArn = await target.createActivity('timeout');
    const machine = await createMachine(
      workMachine(
        activityArn,
        { TimeoutSeconds: 1, Catch: [{ ErrorEquals: ['States.TaskFailed'], Next: 'Caught' }] },
        { Caught: { Type: 'Succeed' } },
      ),
    );
    const executionArn = await start(machine);
    const task = await poll(activityArn);
    const done = await finished(executionArn);
    expect(done).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    const events = await history(executionArn);
    expect(events.map((e) => e.type).slice(-2)).toEqual(['ActivityTimedOut', 'ExecutionFailed']);
    expect(events.at(-2)?.activityTimedOutEventDetails?.error).toBe('States.Timeout');
    await expect(
      target.client.send(new SendTaskSuccessCommand({ taskToken: task.token, output: '{}' })),
    ).rejects.toMatchObject({ name: 'TaskTimedOut' });
  });

  it('times a task out when heartbeats stop, caught by States.HeartbeatTimeout', async () => {
    const activityArn = await target.createActivity('heartbeat');
    const machine = await createMachine(
      workMachine(
        activityArn,
        {
          TimeoutSeconds: 30,
          HeartbeatSeconds: 1,
          Catch: [{ ErrorEquals: ['States.HeartbeatTimeout'], Next: 'Caught' }],
        },
        { Caught: { Type: 'Pass', End: true } },
      ),
    );
    const executionArn = await start(machine);
    const task = await poll(activityArn);
    const startedAt = Date.now();
    let lastBeatAt = startedAt;
    // Heartbeats keep it alive past one HeartbeatSeconds (a refused one would throw), then it times out.
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      lastBeatAt = Date.now();
      await target.client.send(new SendTaskHeartbeatCommand({ taskToken: task.token }));
    }
    const done = await finished(executionArn);
    expect(Date.now() - startedAt).toBeGreaterThan(1500);
    // The clock restarted at the last heartbeat: the timeout comes a HeartbeatSeconds after it, not before.
    expect(done.stopDate!.getTime() - lastBeatAt).toBeGreaterThanOrEqual(990);
    expect(done).toMatchObject({ status: 'SUCCEEDED', output: '{"Error":"States.Timeout"}' });
    const types = (await history(executionArn)).map((e) => e.type);
    expect(types).toContain('ActivityTimedOut');
    expect(types).not.toContain('ActivitySucceeded');
  });

  it('stops an execution: the task closes and a late SendTaskSuccess gets TaskTimedOut', async () => {
    const activityArn = await target.createActivity('stop');
    const machine = await createMachine(workMachine(activityArn));
    const executionArn = await start(machine);
    const task = await poll(activityArn);
    const stopped = await target.client.send(
      new StopExecutionCommand({ executionArn, error: 'Halt', cause: 'test' }),
    );
    expect(stopped.stopDate).toBeInstanceOf(Date);
    expect(await describeExecution(executionArn)).toMatchObject({
      status: 'ABORTED',
      error: 'Halt',
      cause: 'test',
    });
    await expect(
      target.client.send(new SendTaskSuccessCommand({ taskToken: task.token, output: '{}' })),
    ).rejects.toMatchObject({ name: 'TaskTimedOut' });
    const events = await history(executionArn);
    expect(events.at(-1)).toMatchObject({
      type: 'ExecutionAborted',
      executionAbortedEventDetails: { error: 'Halt', cause: 'test' },
    });
  });

  it('fails with States.Runtime and no ActivityScheduled when the activity was deleted', async () => {
    const activityArn = await target.createActivity('deleted');
    const machine = await createMachine(workMachine(activityArn));
    await target.client.send(new DeleteActivityCommand({ activityArn }));
    const executionArn = await start(machine);
    const done = await finished(executionArn);
    expect(done).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    const types = (await history(executionArn)).map((e) => e.type);
    expect(types).not.toContain('ActivityScheduled');
    expect(types.at(-1)).toBe('ExecutionFailed');
  });

  it('answers the modelled errors through the SDK', async () => {
    const activityArn = await target.createActivity('errors');
    await expect(
      target.client.send(
        new CreateStateMachineCommand({
          name: uniqueName('bad').slice(0, 80),
          definition: JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Map', End: true } } }),
          roleArn,
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidDefinition' });
    const machine = await createMachine(workMachine(activityArn));
    await expect(
      target.client.send(new StartExecutionCommand({ stateMachineArn: machine, input: '{not json' })),
    ).rejects.toMatchObject({ name: 'InvalidExecutionInput' });
    const missing = machine.replace(':stateMachine:', ':execution:') + ':nope';
    await expect(
      target.client.send(new DescribeExecutionCommand({ executionArn: missing })),
    ).rejects.toMatchObject({
      name: 'ExecutionDoesNotExist',
    });
    const name = uniqueName('once').slice(0, 80);
    const first = await target.client.send(
      new StartExecutionCommand({ stateMachineArn: machine, name, input: '{}' }),
    );
    const again = await target.client.send(
      new StartExecutionCommand({ stateMachineArn: machine, name, input: '{}' }),
    );
    expect(again.executionArn).toBe(first.executionArn);
    await expect(
      target.client.send(new StartExecutionCommand({ stateMachineArn: machine, name, input: '{"other":1}' })),
    ).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    await target.client.send(new StopExecutionCommand({ executionArn: first.executionArn }));
  });

  it.skipIf(onAws)('counts executions in the emulator stats', async () => {
    const activityArn = await target.createActivity('stats');
    const machine = await createMachine(workMachine(activityArn));
    const executionArn = await start(machine);
    await until(() => target.emulator!.stats().executions?.running === 1, 5000, 'a running execution');
    const task = await poll(activityArn);
    await target.client.send(new SendTaskSuccessCommand({ taskToken: task.token, output: '{}' }));
    await finished(executionArn);
    expect(target.emulator!.stats().executions).toMatchObject({ running: 0, succeeded: 1 });
  });
});
