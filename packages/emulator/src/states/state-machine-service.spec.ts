import { HistoryEventType, type HistoryEvent as SdkHistoryEvent } from '@aws-sdk/client-sfn';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ServiceError } from '../service-error.js';
import { FakeScheduler } from './fake-scheduler.spec-helper.js';
import { StateMachineService } from './state-machine-service.js';

const ACTIVITY = 'arn:aws:states:us-east-1:123456789012:activity:resize';
const ROLE = 'arn:aws:iam::123456789012:role/emulator';

let scheduler: FakeScheduler;
let service: StateMachineService;

beforeEach(() => {
  scheduler = new FakeScheduler();
  scheduler.activities.add(ACTIVITY);
  service = new StateMachineService({ region: 'us-east-1', accountId: '123456789012', scheduler });
});

afterEach(() => {
  service.close();
  vi.useRealTimers();
});

type Body = Record<string, unknown>;

function call(operation: string, input: Body): Body {
  const handler = service.operations.get(operation);
  if (!handler) throw new Error(`no operation ${operation}`);
  return handler(input, { onClientGone: () => undefined }) as Body;
}

function callError(operation: string, input: Body): ServiceError {
  try {
    call(operation, input);
  } catch (err) {
    if (err instanceof ServiceError) return err;
    throw err;
  }
  throw new Error(`${operation} did not throw`);
}

function createMachine(definition: object, name = 'machine'): string {
  const out = call('CreateStateMachine', { name, definition: JSON.stringify(definition), roleArn: ROLE });
  return out['stateMachineArn'] as string;
}

function start(stateMachineArn: string, input: unknown = {}, name?: string): string {
  const out = call('StartExecution', {
    stateMachineArn,
    input: JSON.stringify(input),
    ...(name && { name }),
  });
  return out['executionArn'] as string;
}

function describe_(executionArn: string): Body {
  return call('DescribeExecution', { executionArn });
}

function history(executionArn: string): Body[] {
  return call('GetExecutionHistory', { executionArn, maxResults: 1000 })['events'] as Body[];
}

function types(executionArn: string): string[] {
  return history(executionArn).map((e) => e['type'] as string);
}

const taskMachine = (task: object = {}) => ({
  StartAt: 'Resize',
  States: { Resize: { Type: 'Task', Resource: ACTIVITY, End: true, ...task } },
});

describe('StateMachineService', () => {
  it('runs an activity task to success and records the history AWS records', () => {
    const arn = start(createMachine(taskMachine({ TimeoutSeconds: 60, HeartbeatSeconds: 10 })), { a: 1 });
    expect(describe_(arn)['status']).toBe('RUNNING');
    const task = scheduler.last();
    expect(task.request).toEqual({
      activityArn: ACTIVITY,
      input: '{"a":1}',
      timeoutSeconds: 60,
      heartbeatSeconds: 10,
      executionArn: arn,
    });
    task.start('worker-1');
    task.close({ kind: 'succeeded', output: '{"b":2}' });
    const described = describe_(arn);
    expect(described).toMatchObject({ status: 'SUCCEEDED', input: '{"a":1}', output: '{"b":2}' });
    expect(typeof described['stopDate']).toBe('number');
    const events = history(arn);
    expect(events.map((e) => e['type'])).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'ActivityScheduled',
      'ActivityStarted',
      'ActivitySucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events.map((e) => [e['id'], e['previousEventId']])).toEqual([
      [1, 0],
      [2, 1],
      [3, 2],
      [4, 3],
      [5, 4],
      [6, 5],
      [7, 6],
    ]);
    expect(events[2]?.['activityScheduledEventDetails']).toEqual({
      resource: ACTIVITY,
      input: '{"a":1}',
      inputDetails: { truncated: false },
      timeoutInSeconds: 60,
      heartbeatInSeconds: 10,
    });
    expect(events[3]?.['activityStartedEventDetails']).toEqual({ workerName: 'worker-1' });
    expect(events[6]?.['executionSucceededEventDetails']).toEqual({
      output: '{"b":2}',
      outputDetails: { truncated: false },
    });
  });

  it('fails the execution with the activity error when nothing catches it', () => {
    const arn = start(createMachine(taskMachine()));
    scheduler.last().start();
    scheduler.last().close({ kind: 'failed', error: 'Boom', cause: 'it broke' });
    expect(describe_(arn)).toMatchObject({ status: 'FAILED', error: 'Boom', cause: 'it broke' });
    expect(types(arn).slice(-2)).toEqual(['ActivityFailed', 'ExecutionFailed']);
    expect(history(arn)[3]?.['activityStartedEventDetails']).toEqual({});
  });
});

describe('CreateStateMachine definition checks', () => {
  it('refuses a field outside the subset, naming it and where it is', () => {
    const err = callError('CreateStateMachine', {
      name: 'bad',
      definition: JSON.stringify(taskMachine({ Parameters2: {} })),
      roleArn: ROLE,
    });
    expect(err.errorName).toBe('InvalidDefinition');
    expect(err.message).toContain('/States/Resize/Parameters2');
  });
});

describe('Retry and Catch', () => {
  it('retries with backoff, then succeeds, recording each attempt', () => {
    vi.useFakeTimers();
    const arn = start(
      createMachine(
        taskMachine({
          Retry: [{ ErrorEquals: ['Busy'], IntervalSeconds: 2, BackoffRate: 3, MaxAttempts: 3 }],
        }),
      ),
    );
    scheduler.last().close({ kind: 'failed', error: 'Busy' });
    expect(scheduler.tasks).toHaveLength(1);
    vi.advanceTimersByTime(1999);
    expect(scheduler.tasks).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(scheduler.tasks).toHaveLength(2);
    scheduler.last().close({ kind: 'failed', error: 'Busy' });
    vi.advanceTimersByTime(5999);
    expect(scheduler.tasks).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(scheduler.tasks).toHaveLength(3);
    scheduler.last().close({ kind: 'succeeded', output: '"done"' });
    expect(describe_(arn)).toMatchObject({ status: 'SUCCEEDED', output: '"done"' });
    expect(types(arn)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'ActivityScheduled',
      'ActivityFailed',
      'ActivityScheduled',
      'ActivityFailed',
      'ActivityScheduled',
      'ActivitySucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('caps the delay at MaxDelaySeconds and stops after MaxAttempts', () => {
    vi.useFakeTimers();
    const arn = start(
      createMachine(
        taskMachine({
          Retry: [
            {
              ErrorEquals: ['Busy'],
              IntervalSeconds: 1,
              BackoffRate: 10,
              MaxAttempts: 2,
              MaxDelaySeconds: 3,
            },
          ],
        }),
      ),
    );
    scheduler.last().close({ kind: 'failed', error: 'Busy' });
    vi.advanceTimersByTime(1000);
    scheduler.last().close({ kind: 'failed', error: 'Busy' });
    vi.advanceTimersByTime(3000);
    expect(scheduler.tasks).toHaveLength(3);
    scheduler.last().close({ kind: 'failed', error: 'Busy', cause: 'still' });
    expect(describe_(arn)).toMatchObject({ status: 'FAILED', error: 'Busy', cause: 'still' });
  });

  it('does not retry an error no retrier names', () => {
    const arn = start(createMachine(taskMachine({ Retry: [{ ErrorEquals: ['Busy'] }] })));
    scheduler.last().close({ kind: 'failed', error: 'Other' });
    expect(describe_(arn)['status']).toBe('FAILED');
    expect(scheduler.tasks).toHaveLength(1);
  });

  const catching = (errorEquals: string[], resultPath?: string | null) => ({
    StartAt: 'Resize',
    States: {
      Resize: {
        Type: 'Task',
        Resource: ACTIVITY,
        Next: 'Done',
        Catch: [
          {
            ErrorEquals: errorEquals,
            Next: 'Recover',
            ...(resultPath !== undefined && { ResultPath: resultPath }),
          },
        ],
      },
      Done: { Type: 'Succeed' },
      Recover: { Type: 'Pass', End: true },
    },
  });

  it.each([
    [['Boom'], 'by its name'],
    [['States.TaskFailed'], 'by States.TaskFailed'],
    [['States.ALL'], 'by States.ALL'],
  ])('catches a failure %s and moves to Next with the error output', (errorEquals) => {
    const arn = start(createMachine(catching(errorEquals)), { a: 1 });
    scheduler.last().close({ kind: 'failed', error: 'Boom', cause: 'why' });
    expect(describe_(arn)).toMatchObject({ status: 'SUCCEEDED', output: '{"Error":"Boom","Cause":"why"}' });
    expect(types(arn)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'ActivityScheduled',
      'ActivityFailed',
      'TaskStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('places the error output at the catcher ResultPath, keeping the input', () => {
    const arn = start(createMachine(catching(['States.ALL'], '$.error')), { a: 1 });
    scheduler.last().close({ kind: 'failed', error: 'Boom' });
    expect(describe_(arn)['output']).toBe('{"a":1,"error":{"Error":"Boom"}}');
  });

  it('matches a timeout by States.Timeout but not by States.TaskFailed', () => {
    const byTaskFailed = start(createMachine(catching(['States.TaskFailed']), 'a'));
    scheduler.last().start();
    scheduler.last().close({ kind: 'timedOut', heartbeat: false });
    expect(describe_(byTaskFailed)).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(history(byTaskFailed).at(-2)).toMatchObject({
      type: 'ActivityTimedOut',
      activityTimedOutEventDetails: { error: 'States.Timeout' },
    });

    const byTimeout = start(createMachine(catching(['States.Timeout']), 'b'));
    scheduler.last().close({ kind: 'timedOut', heartbeat: false });
    expect(describe_(byTimeout)).toMatchObject({ status: 'SUCCEEDED', output: '{"Error":"States.Timeout"}' });
  });

  it('matches a heartbeat timeout by States.HeartbeatTimeout, and a plain timeout not', () => {
    const heartbeat = start(createMachine(catching(['States.HeartbeatTimeout']), 'a'));
    scheduler.last().close({ kind: 'timedOut', heartbeat: true });
    expect(describe_(heartbeat)['status']).toBe('SUCCEEDED');
    expect(history(heartbeat)[3]).toMatchObject({
      activityTimedOutEventDetails: { error: 'States.Timeout' },
    });

    const plain = start(createMachine(catching(['States.HeartbeatTimeout']), 'b'));
    scheduler.last().close({ kind: 'timedOut', heartbeat: false });
    expect(describe_(plain)).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
  });

  it('fails with States.Runtime and no ActivityScheduled when the activity was deleted, even under Catch', () => {
    scheduler.activities.clear();
    const arn = start(createMachine(catching(['States.ALL'])));
    expect(describe_(arn)).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(types(arn)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'ExecutionFailed']);
    expect(scheduler.tasks).toHaveLength(0);
  });
});

describe('states and paths', () => {
  it('applies InputPath, Parameters, ResultSelector, ResultPath and OutputPath around a task', () => {
    const arn = start(
      createMachine(
        taskMachine({
          InputPath: '$.job',
          Parameters: { 'size.$': '$.sizes[1]', 'execution.$': '$$.Execution.Name', fixed: true },
          ResultSelector: { 'url.$': '$.location' },
          ResultPath: '$.job.result',
          OutputPath: '$.job',
        }),
      ),
      { job: { sizes: [10, 20] }, other: 1 },
      'exec-1',
    );
    expect(JSON.parse(scheduler.last().request.input)).toEqual({
      size: 20,
      execution: 'exec-1',
      fixed: true,
    });
    scheduler.last().close({ kind: 'succeeded', output: '{"location":"s3://x","extra":1}' });
    expect(JSON.parse(describe_(arn)['output'] as string)).toEqual({
      sizes: [10, 20],
      result: { url: 's3://x' },
    });
  });

  it('discards the result with ResultPath null', () => {
    const arn = start(createMachine(taskMachine({ ResultPath: null })), { keep: true });
    scheduler.last().close({ kind: 'succeeded', output: '{"x":1}' });
    expect(describe_(arn)['output']).toBe('{"keep":true}');
  });

  it('fails with States.Runtime when InputPath finds nothing', () => {
    const arn = start(createMachine(taskMachine({ InputPath: '$.missing' })), {});
    expect(describe_(arn)).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(scheduler.tasks).toHaveLength(0);
  });

  it('runs Pass states with Result and ResultPath', () => {
    const arn = start(
      createMachine({
        StartAt: 'A',
        States: {
          A: { Type: 'Pass', Result: { v: 1 }, ResultPath: '$.a', Next: 'B' },
          B: {
            Type: 'Pass',
            Parameters: { 'copy.$': '$.a.v' },
            ResultPath: '$.b',
            OutputPath: '$.b',
            End: true,
          },
        },
      }),
      { in: 0 },
    );
    expect(describe_(arn)).toMatchObject({ status: 'SUCCEEDED', output: '{"copy":1}' });
    expect(types(arn)).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
  });

  const choiceMachine = {
    StartAt: 'C',
    States: {
      C: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.n', NumericGreaterThan: 10, Next: 'Big' },
          {
            And: [
              { Variable: '$.s', IsPresent: true },
              {
                Or: [
                  { Variable: '$.s', StringEquals: 'x' },
                  { Variable: '$.s', StringMatches: 'pre*' },
                ],
              },
            ],
            Next: 'Str',
          },
          { Not: { Variable: '$.flag', BooleanEquals: true }, Next: 'NotFlag' },
          { Variable: '$.n', NumericEqualsPath: '$.m', Next: 'Same' },
        ],
        Default: 'Other',
      },
      Big: { Type: 'Pass', Result: 'big', End: true },
      Str: { Type: 'Pass', Result: 'str', End: true },
      NotFlag: { Type: 'Pass', Result: 'notflag', End: true },
      Same: { Type: 'Pass', Result: 'same', End: true },
      Other: { Type: 'Pass', Result: 'other', End: true },
    },
  };

  it.each([
    [{ n: 11, flag: true }, 'big'],
    [{ n: 1, s: 'prefix', flag: true }, 'str'],
    [{ n: 1, s: 'x', flag: true }, 'str'],
    [{ n: 1, s: 'y', flag: false }, 'notflag'],
    [{ n: 2, m: 2, flag: true }, 'same'],
    [{ n: 2, m: 3, flag: true }, 'other'],
  ])('routes %j through Choice to %s', (input, expected) => {
    const machine = createMachine(choiceMachine);
    const arn = start(machine, input);
    expect(describe_(arn)['output']).toBe(JSON.stringify(expected));
    expect(types(arn).slice(1, 3)).toEqual(['ChoiceStateEntered', 'ChoiceStateExited']);
  });

  it('fails with States.NoChoiceMatched when no rule matches and there is no Default', () => {
    const arn = start(
      createMachine({
        StartAt: 'C',
        States: {
          C: { Type: 'Choice', Choices: [{ Variable: '$.a', IsNull: true, Next: 'D' }] },
          D: { Type: 'Succeed' },
        },
      }),
      { a: 1 },
    );
    expect(describe_(arn)).toMatchObject({ status: 'FAILED', error: 'States.NoChoiceMatched' });
  });

  it('waits Seconds and SecondsPath before moving on', () => {
    vi.useFakeTimers();
    const arn = start(
      createMachine({
        StartAt: 'W1',
        States: {
          W1: { Type: 'Wait', Seconds: 5, Next: 'W2' },
          W2: { Type: 'Wait', SecondsPath: '$.delay', Next: 'S' },
          S: { Type: 'Succeed' },
        },
      }),
      { delay: 3 },
    );
    vi.advanceTimersByTime(4999);
    expect(types(arn).at(-1)).toBe('WaitStateEntered');
    vi.advanceTimersByTime(1);
    expect(types(arn).at(-1)).toBe('WaitStateEntered');
    vi.advanceTimersByTime(3000);
    expect(describe_(arn)).toMatchObject({ status: 'SUCCEEDED', output: '{"delay":3}' });
    expect(types(arn)).toEqual([
      'ExecutionStarted',
      'WaitStateEntered',
      'WaitStateExited',
      'WaitStateEntered',
      'WaitStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('ends at a Fail state with its Error and Cause', () => {
    const arn = start(
      createMachine({ StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Bad', Cause: 'because' } } }),
    );
    expect(describe_(arn)).toMatchObject({ status: 'FAILED', error: 'Bad', cause: 'because' });
    expect(history(arn).at(-1)).toMatchObject({
      type: 'ExecutionFailed',
      executionFailedEventDetails: { error: 'Bad', cause: 'because' },
    });
    expect(types(arn)).toEqual(['ExecutionStarted', 'FailStateEntered', 'ExecutionFailed']);
  });

  it('times the execution out after the top-level TimeoutSeconds, closing the open task', () => {
    vi.useFakeTimers();
    const arn = start(createMachine({ ...taskMachine(), TimeoutSeconds: 2 }));
    vi.advanceTimersByTime(2000);
    expect(describe_(arn)).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
    expect(scheduler.last().cancelled).toBe(true);
    expect(service.stats()).toMatchObject({ running: 0, timedOut: 1 });
  });
});

describe('unexpected errors inside an execution', () => {
  it('fails the execution with States.Runtime when the task output outgrows a walk, and reports the error', () => {
    const internal: unknown[] = [];
    service.close();
    service = new StateMachineService({
      region: 'us-east-1',
      accountId: '123456789012',
      scheduler,
      onInternalError: (error) => internal.push(error),
    });
    const arn = start(createMachine(taskMachine()));
    // Past what the HTTP operation lets through; the broker hands the engine whatever it was given.
    const deep = '['.repeat(20_000) + ']'.repeat(20_000);
    scheduler.last().close({ kind: 'succeeded', output: deep });
    expect(describe_(arn)).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(describe_(arn)['cause']).toContain("state 'Resize'");
    expect(types(arn).at(-1)).toBe('ExecutionFailed');
    expect(internal).toHaveLength(1);
    expect(internal[0]).toBeInstanceOf(RangeError);
    expect(service.stats()).toMatchObject({ running: 0, failed: 1 });
  });

  it('fails the execution with States.Runtime when scheduling throws, and StartExecution still answers', () => {
    const internal: unknown[] = [];
    service.close();
    service = new StateMachineService({
      region: 'us-east-1',
      accountId: '123456789012',
      scheduler: {
        hasActivity: () => true,
        schedule: () => {
          throw new Error('broker exploded');
        },
      },
      onInternalError: (error) => internal.push(error),
    });
    const arn = start(createMachine(taskMachine()));
    expect(describe_(arn)).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(describe_(arn)['cause']).toContain('Error: broker exploded');
    expect(internal).toHaveLength(1);
  });
});

describe('executions', () => {
  it('stops a running execution: cancels its task, records ExecutionAborted, ignores a late outcome', () => {
    const arn = start(createMachine(taskMachine()));
    const task = scheduler.last();
    task.start('w');
    const out = call('StopExecution', { executionArn: arn, error: 'Halt', cause: 'by test' });
    expect(typeof out['stopDate']).toBe('number');
    expect(task.cancelled).toBe(true);
    task.close({ kind: 'succeeded', output: '{}' });
    expect(describe_(arn)).toMatchObject({ status: 'ABORTED', error: 'Halt', cause: 'by test' });
    expect(types(arn).slice(-2)).toEqual(['TaskStateAborted', 'ExecutionAborted']);
    expect(history(arn).at(-1)?.['executionAbortedEventDetails']).toEqual({
      error: 'Halt',
      cause: 'by test',
    });
    expect(service.stats()).toEqual({ running: 0, succeeded: 0, failed: 0, timedOut: 0, aborted: 1 });
  });

  it('answers StartExecution idempotently for the same name and input while running, and refuses otherwise', () => {
    const machine = createMachine(taskMachine());
    const first = call('StartExecution', { stateMachineArn: machine, name: 'once', input: '{"a":1}' });
    const again = call('StartExecution', { stateMachineArn: machine, name: 'once', input: '{"a":1}' });
    expect(again).toEqual(first);
    expect(scheduler.tasks).toHaveLength(1);
    expect(
      callError('StartExecution', { stateMachineArn: machine, name: 'once', input: '{"a":2}' }).errorName,
    ).toBe('ExecutionAlreadyExists');
    scheduler.last().close({ kind: 'succeeded', output: '{}' });
    expect(
      callError('StartExecution', { stateMachineArn: machine, name: 'once', input: '{"a":1}' }).errorName,
    ).toBe('ExecutionAlreadyExists');
  });

  it('generates a name when none is given and refuses input that is not JSON', () => {
    const machine = createMachine(taskMachine());
    const arn = call('StartExecution', { stateMachineArn: machine })['executionArn'] as string;
    expect(arn).toMatch(/^arn:aws:states:us-east-1:123456789012:execution:machine:[0-9a-f-]{36}$/);
    expect(describe_(arn)['input']).toBe('{}');
    expect(callError('StartExecution', { stateMachineArn: machine, input: '{nope' }).errorName).toBe(
      'InvalidExecutionInput',
    );
    const big = JSON.stringify('x'.repeat(262_144));
    expect(callError('StartExecution', { stateMachineArn: machine, input: big }).errorName).toBe(
      'ValidationException',
    );
    expect(callError('StartExecution', { stateMachineArn: machine, name: 'a b' }).errorName).toBe(
      'InvalidName',
    );
  });

  it('answers the errors AWS answers for unknown and malformed ARNs', () => {
    expect(callError('DescribeExecution', { executionArn: 'nope' }).message).toBe(
      "Invalid Arn: 'Invalid ARN prefix: nope'",
    );
    const missing = 'arn:aws:states:us-east-1:123456789012:execution:machine:gone';
    expect(callError('DescribeExecution', { executionArn: missing }).message).toBe(
      `Execution Does Not Exist: '${missing}'`,
    );
    expect(callError('GetExecutionHistory', { executionArn: missing }).errorName).toBe(
      'ExecutionDoesNotExist',
    );
    expect(callError('StopExecution', { executionArn: missing }).errorName).toBe('ExecutionDoesNotExist');
    const machine = 'arn:aws:states:us-east-1:123456789012:stateMachine:gone';
    expect(callError('StartExecution', { stateMachineArn: machine }).errorName).toBe(
      'StateMachineDoesNotExist',
    );
    expect(callError('DescribeExecution', { executionArn: machine }).errorName).toBe('InvalidArn');
    expect(callError('DescribeExecution', {}).errorName).toBe('ValidationException');
  });

  it('lists executions newest first, by status, in pages', () => {
    const machine = createMachine(taskMachine());
    const arns = Array.from({ length: 5 }, (_, i) => start(machine, {}, `e${i}`));
    scheduler.tasks[1]?.close({ kind: 'succeeded', output: '{}' });
    scheduler.tasks[3]?.close({ kind: 'succeeded', output: '{}' });
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = call('ListExecutions', {
        stateMachineArn: machine,
        maxResults: 2,
        ...(nextToken && { nextToken }),
      });
      seen.push(...(page['executions'] as Body[]).map((e) => e['name'] as string));
      nextToken = page['nextToken'] as string | undefined;
    } while (nextToken);
    expect(seen).toEqual(['e4', 'e3', 'e2', 'e1', 'e0']);
    const succeeded = call('ListExecutions', { stateMachineArn: machine, statusFilter: 'SUCCEEDED' });
    expect((succeeded['executions'] as Body[]).map((e) => e['executionArn'])).toEqual([arns[3], arns[1]]);
    expect(callError('ListExecutions', { stateMachineArn: machine, nextToken: 'garbage!' }).errorName).toBe(
      'InvalidToken',
    );
  });
});

describe('GetExecutionHistory', () => {
  function finished(): string {
    const arn = start(createMachine(taskMachine()), { in: 1 });
    scheduler.last().start('w');
    scheduler.last().close({ kind: 'succeeded', output: '{"out":1}' });
    return arn;
  }

  it('pages forwards and backwards with nextToken', () => {
    const arn = finished();
    const pages = (reverseOrder: boolean): number[][] => {
      const out: number[][] = [];
      let nextToken: string | undefined;
      do {
        const page = call('GetExecutionHistory', {
          executionArn: arn,
          maxResults: 3,
          reverseOrder,
          ...(nextToken && { nextToken }),
        });
        out.push((page['events'] as Body[]).map((e) => e['id'] as number));
        nextToken = page['nextToken'] as string | undefined;
      } while (nextToken);
      return out;
    };
    expect(pages(false)).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(pages(true)).toEqual([[7, 6, 5], [4, 3, 2], [1]]);
  });

  it('leaves out input and output when includeExecutionData is false', () => {
    const arn = finished();
    const events = call('GetExecutionHistory', { executionArn: arn, includeExecutionData: false })[
      'events'
    ] as Body[];
    expect(events[0]?.['executionStartedEventDetails']).toEqual({ roleArn: ROLE });
    expect(events[2]?.['activityScheduledEventDetails']).toEqual({ resource: ACTIVITY });
    expect(JSON.stringify(events)).not.toContain('"in"');
    expect(JSON.stringify(history(arn))).toContain('{\\"in\\":1}');
  });

  it('stamps events with epoch seconds from the clock', () => {
    let nowMs = 1_700_000_000_123;
    service = new StateMachineService({
      region: 'us-east-1',
      accountId: '123456789012',
      scheduler,
      now: () => nowMs,
    });
    const arn = start(createMachine(taskMachine()));
    nowMs += 500;
    scheduler.last().close({ kind: 'succeeded', output: '{}' });
    const events = history(arn);
    expect(events[0]?.['timestamp']).toBe(1_700_000_000.123);
    expect(events.at(-1)?.['timestamp']).toBe(1_700_000_000.623);
    expect(describe_(arn)).toMatchObject({ startDate: 1_700_000_000.123, stopDate: 1_700_000_000.623 });
  });
});

describe('state machines', () => {
  it('creates idempotently for the same definition and refuses a different one', () => {
    const first = call('CreateStateMachine', {
      name: 'm',
      definition: JSON.stringify(taskMachine()),
      roleArn: ROLE,
    });
    const again = call('CreateStateMachine', {
      name: 'm',
      definition: JSON.stringify(taskMachine()),
      roleArn: ROLE,
    });
    expect(again).toEqual(first);
    const err = callError('CreateStateMachine', {
      name: 'm',
      definition: JSON.stringify(taskMachine({ TimeoutSeconds: 5 })),
      roleArn: ROLE,
    });
    expect(err.errorName).toBe('StateMachineAlreadyExists');
  });

  it('refuses EXPRESS, naming the type field', () => {
    const err = callError('CreateStateMachine', {
      name: 'x',
      definition: JSON.stringify(taskMachine()),
      roleArn: ROLE,
      type: 'EXPRESS',
    });
    expect(err.errorName).toBe('ValidationException');
    expect(err.message).toContain("'type'");
    expect(err.message).toContain('Standard');
  });

  it('checks request fields as the activity operations do: every problem in one ValidationException, each named', () => {
    const err = callError('CreateStateMachine', { name: 'n'.repeat(81), definition: 7, roleArn: ROLE });
    expect(err.errorName).toBe('ValidationException');
    expect(err.message).toMatch(/^2 validation errors detected: /);
    expect(err.message).toContain("at 'name' failed to satisfy constraint");
    expect(err.message).toContain("at 'definition' failed to satisfy constraint: Member must be a string");
    expect(callError('CreateStateMachine', { name: 'a/b', definition: '{}', roleArn: ROLE }).errorName).toBe(
      'InvalidName',
    );
    const negative = callError('ListStateMachines', { maxResults: -1 });
    expect(negative.message).toContain("at 'maxResults' failed to satisfy constraint");
    expect(negative.message).toContain('greater than or equal to 0');
    expect(callError('ListStateMachines', { nextToken: 'x'.repeat(1025) }).message).toContain("'nextToken'");
    expect(callError('ListStateMachines', { nextToken: 'not-ours' }).errorName).toBe('InvalidToken');
  });

  it('describes, lists in pages and deletes', () => {
    const definition = JSON.stringify(taskMachine());
    const arns = ['a', 'b', 'c'].map((name) => createMachine(taskMachine(), name));
    expect(call('DescribeStateMachine', { stateMachineArn: arns[0] })).toMatchObject({
      stateMachineArn: arns[0],
      name: 'a',
      status: 'ACTIVE',
      definition,
      roleArn: ROLE,
      type: 'STANDARD',
    });
    call('DeleteStateMachine', { stateMachineArn: arns[1] });
    call('DeleteStateMachine', { stateMachineArn: arns[1] });
    expect(callError('DescribeStateMachine', { stateMachineArn: arns[1] }).errorName).toBe(
      'StateMachineDoesNotExist',
    );
    const first = call('ListStateMachines', { maxResults: 1 });
    expect((first['stateMachines'] as Body[]).map((m) => m['name'])).toEqual(['a']);
    const rest = call('ListStateMachines', { nextToken: first['nextToken'] });
    expect((rest['stateMachines'] as Body[]).map((m) => m['name'])).toEqual(['c']);
    expect(rest['nextToken']).toBeUndefined();
  });

  it('lets running executions finish after their state machine is deleted', () => {
    const machine = createMachine(taskMachine());
    const arn = start(machine);
    call('DeleteStateMachine', { stateMachineArn: machine });
    scheduler.last().close({ kind: 'succeeded', output: '{}' });
    expect(describe_(arn)['status']).toBe('SUCCEEDED');
  });
});

describe('fidelity to the SDK model', () => {
  // Checked by the compiler against the SDK's HistoryEvent: every details field the engine may write.
  const detailsFields = [
    'executionStartedEventDetails',
    'executionSucceededEventDetails',
    'executionFailedEventDetails',
    'executionAbortedEventDetails',
    'executionTimedOutEventDetails',
    'stateEnteredEventDetails',
    'stateExitedEventDetails',
    'activityScheduledEventDetails',
    'activityStartedEventDetails',
    'activitySucceededEventDetails',
    'activityFailedEventDetails',
    'activityTimedOutEventDetails',
  ] as const satisfies readonly (keyof SdkHistoryEvent)[];

  it('writes only event types and details fields that the SDK model has', () => {
    vi.useFakeTimers();
    const machine = createMachine({
      StartAt: 'P',
      TimeoutSeconds: 100,
      States: {
        P: { Type: 'Pass', Next: 'C' },
        C: { Type: 'Choice', Choices: [{ Variable: '$.x', IsPresent: true, Next: 'F' }], Default: 'W' },
        W: { Type: 'Wait', Seconds: 1, Next: 'T' },
        T: {
          Type: 'Task',
          Resource: ACTIVITY,
          Retry: [{ ErrorEquals: ['Again'] }],
          Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'T2' }],
          Next: 'S',
        },
        T2: { Type: 'Task', Resource: ACTIVITY, Next: 'S' },
        S: { Type: 'Succeed' },
        F: { Type: 'Fail' },
      },
    });
    const a = start(machine);
    vi.advanceTimersByTime(1000);
    scheduler.last().start('w');
    scheduler.last().close({ kind: 'failed', error: 'Again' });
    vi.advanceTimersByTime(1000);
    scheduler.last().close({ kind: 'timedOut', heartbeat: false });
    scheduler.last().close({ kind: 'succeeded', output: '{}' });
    const b = start(machine, { x: 1 });
    const c = start(machine);
    call('StopExecution', { executionArn: c });
    const d = start(machine);
    vi.advanceTimersByTime(1000);
    vi.advanceTimersByTime(100_000);
    expect([a, b, c, d].map((arn) => describe_(arn)['status'])).toEqual([
      'SUCCEEDED',
      'FAILED',
      'ABORTED',
      'TIMED_OUT',
    ]);
    const known = new Set<string>(Object.values(HistoryEventType));
    const allowed = new Set<string>(['timestamp', 'type', 'id', 'previousEventId', ...detailsFields]);
    for (const arn of [a, b, c, d]) {
      for (const event of history(arn)) {
        expect(known.has(event['type'] as string), event['type'] as string).toBe(true);
        for (const key of Object.keys(event)) expect(allowed.has(key), key).toBe(true);
      }
    }
  });
});

describe('close', () => {
  it('clears pending Retry timers and sets none afterwards', () => {
    vi.useFakeTimers();
    const machine = createMachine(
      taskMachine({ Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1 }] }),
    );
    start(machine, {}, 'a');
    const b = start(machine, {}, 'b');
    scheduler.tasks[0]?.close({ kind: 'failed', error: 'X' });
    service.close();
    service.close();
    scheduler.tasks[1]?.close({ kind: 'failed', error: 'X' });
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(10_000);
    expect(scheduler.tasks).toHaveLength(2);
    expect(describe_(b)['status']).toBe('RUNNING');
  });
});

describe('retention', () => {
  it('forgets the oldest finished executions past maxFinishedExecutions, never running ones', () => {
    service = new StateMachineService({
      region: 'us-east-1',
      accountId: '123456789012',
      scheduler,
      maxFinishedExecutions: 2,
    });
    const machine = createMachine(taskMachine());
    const running = start(machine, {}, 'running');
    const done = ['d0', 'd1', 'd2'].map((name) => {
      const arn = start(machine, {}, name);
      scheduler.last().close({ kind: 'succeeded', output: '{}' });
      return arn;
    });
    expect(callError('DescribeExecution', { executionArn: done[0] }).errorName).toBe('ExecutionDoesNotExist');
    expect(describe_(done[2] as string)['status']).toBe('SUCCEEDED');
    expect(describe_(running)['status']).toBe('RUNNING');
    const listed = call('ListExecutions', { stateMachineArn: machine })['executions'] as Body[];
    expect(listed.map((e) => e['name'])).toEqual(['d2', 'd1', 'running']);
  });

  it('refuses a bad option, naming it', () => {
    let error: unknown;
    try {
      new StateMachineService({ region: 'us-east-1', accountId: '1', scheduler, maxFinishedExecutions: -1 });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).name).toBe('InvalidStateMachineServiceOptionError');
    expect((error as Error).message).toContain('maxFinishedExecutions');
  });
});
