import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SfnServiceError } from '../service-error.js';
import { FakeScheduler } from './fake-scheduler.js';
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
});

type Body = Record<string, unknown>;

function call(operation: string, input: Body): Body {
  const handler = service.operations.get(operation);
  if (!handler) throw new Error(`no operation ${operation}`);
  return handler(input) as Body;
}

function callError(operation: string, input: Body): SfnServiceError {
  try {
    call(operation, input);
  } catch (err) {
    if (err instanceof SfnServiceError) return err;
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
