import { describe, expect, it } from 'vitest';
import { ServiceError } from '../../service-error.js';
import { parseDefinition } from './parse-definition.js';

const ACTIVITY = 'arn:aws:states:us-east-1:123456789012:activity:resize';

function refusal(definition: unknown): string {
  try {
    parseDefinition(typeof definition === 'string' ? definition : JSON.stringify(definition));
  } catch (err) {
    if (err instanceof ServiceError && err.errorName === 'InvalidDefinition') return err.message;
    throw err;
  }
  throw new Error('definition was accepted');
}

const task = (fields: object = {}) => ({
  StartAt: 'Resize',
  States: { Resize: { Type: 'Task', Resource: ACTIVITY, End: true, ...fields } },
});

/** A one-state graph, for ItemProcessor and Branches. */
const pass = (name: string) => ({ StartAt: name, States: { [name]: { Type: 'Pass', End: true } } });

describe('parseDefinition', () => {
  it('accepts every state type of the subset', () => {
    const definition = parseDefinition(
      JSON.stringify({
        StartAt: 'P',
        TimeoutSeconds: 30,
        States: {
          P: { Type: 'Pass', Result: { x: 1 }, ResultPath: '$.p', Next: 'C' },
          C: {
            Type: 'Choice',
            Choices: [
              { Variable: '$.p.x', NumericEquals: 1, Next: 'W' },
              {
                And: [{ Variable: '$.a', IsPresent: true }, { Not: { Variable: '$.a', StringEquals: 'b' } }],
                Next: 'F',
              },
              { Variable: '$.a', StringEqualsPath: '$.b', Next: 'F' },
            ],
            Default: 'F',
          },
          W: { Type: 'Wait', SecondsPath: '$.p.x', Next: 'T' },
          T: {
            Type: 'Task',
            Resource: ACTIVITY,
            TimeoutSeconds: 10,
            HeartbeatSeconds: 5,
            InputPath: '$.p',
            Parameters: { 'x.$': '$.x', 'name.$': '$$.Execution.Name', fixed: [1, { a: 'b' }] },
            ResultPath: '$.result',
            OutputPath: '$',
            Retry: [
              {
                ErrorEquals: ['Busy'],
                IntervalSeconds: 1,
                MaxAttempts: 2,
                BackoffRate: 1.5,
                MaxDelaySeconds: 5,
                JitterStrategy: 'FULL',
              },
            ],
            Catch: [{ ErrorEquals: ['States.ALL'], Next: 'F', ResultPath: '$.error' }],
            Next: 'S',
          },
          S: { Type: 'Succeed' },
          F: { Type: 'Fail', Error: 'E', Cause: 'C' },
        },
      }),
    );
    expect(definition.startAt).toBe('P');
    expect([...definition.states.keys()]).toEqual(['P', 'C', 'W', 'T', 'S', 'F']);
  });

  it.each([
    ['an unknown Task field', task({ Parameters2: {} }), '/States/Resize/Parameters2'],
    [
      'an unsupported state type',
      { StartAt: 'M', States: { M: { Type: 'Loop', End: true } } },
      '/States/M/Type',
    ],
    [
      'a Map without ItemProcessor',
      { StartAt: 'M', States: { M: { Type: 'Map', End: true } } },
      'These fields are required: [ItemProcessor] at /States/M',
    ],
    [
      'a Distributed Map field',
      { StartAt: 'M', States: { M: { Type: 'Map', ItemReader: {}, ItemProcessor: pass('P'), End: true } } },
      'Distributed Map, which this emulator does not run (inline Map only) at /States/M/ItemReader',
    ],
    [
      'a transition out of an ItemProcessor',
      {
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', Next: 'M' } } },
            End: true,
          },
        },
      },
      "Missing 'Next' target: M at /States/M/ItemProcessor/States/P/Next",
    ],
    [
      'a state name used in two branches',
      { StartAt: 'B', States: { B: { Type: 'Parallel', Branches: [pass('P'), pass('P')], End: true } } },
      'DUPLICATE_STATE_NAME: Duplicate State name: P at /States/B/Branches[1]/States/P',
    ],
    [
      'a Parallel without Branches',
      { StartAt: 'B', States: { B: { Type: 'Parallel', End: true } } },
      'These fields are required: [Branches] (a non-empty array) at /States/B',
    ],
    [
      'a Resource that is not an activity ARN',
      task({ Resource: 'arn:aws:lambda:us-east-1:123456789012:function:f' }),
      '/States/Resize/Resource',
    ],
    [
      'Next to a missing state',
      { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' } } },
      "Missing 'Next' target: B at /States/A/Next",
    ],
    ['a missing StartAt', { States: { A: { Type: 'Succeed' } } }, '[StartAt]'],
    ['StartAt naming a missing state', { StartAt: 'X', States: { A: { Type: 'Succeed' } } }, '/StartAt'],
    [
      'an unknown QueryLanguage',
      { QueryLanguage: 'JMESPath', StartAt: 'A', States: { A: { Type: 'Succeed' } } },
      '/QueryLanguage',
    ],
    [
      'a JSONPath-only field in a JSONata state',
      task({ QueryLanguage: 'JSONata', ResultPath: '$.out' }),
      'The field "ResultPath" is not supported when QueryLanguage is "JSONata" (use Arguments, Output and Assign) at /States/Resize/ResultPath',
    ],
    [
      'Arguments in a JSONPath state',
      task({ Arguments: { a: 1 } }),
      'The field "Arguments" is not supported by Step Functions at /States/Resize/Arguments',
    ],
    [
      'a JSONata expression that does not compile',
      task({ QueryLanguage: 'JSONata', Arguments: { a: '{% $states.input. %}' } }),
      'is invalid',
    ],
    [
      'a JSONPath state in a JSONata definition',
      {
        QueryLanguage: 'JSONata',
        StartAt: 'A',
        States: { A: { Type: 'Succeed', QueryLanguage: 'JSONPath' } },
      },
      '/States/A/QueryLanguage',
    ],
    [
      'HeartbeatSeconds not below TimeoutSeconds',
      task({ TimeoutSeconds: 5, HeartbeatSeconds: 5 }),
      '/States/Resize/HeartbeatSeconds',
    ],
    [
      'States.ALL not alone',
      task({ Catch: [{ ErrorEquals: ['States.ALL', 'X'], Next: 'Resize' }] }),
      '/States/Resize/Catch[0]/ErrorEquals',
    ],
    [
      'States.ALL not last',
      task({ Retry: [{ ErrorEquals: ['States.ALL'] }, { ErrorEquals: ['X'] }] }),
      '/States/Resize/Retry[0]/ErrorEquals',
    ],
    ['an unsupported JSONPath', task({ InputPath: '$..a' }), '/States/Resize/InputPath'],
    [
      'an intrinsic function that does not exist',
      task({ Parameters: { 'a.$': 'States.Nope($.x)' } }),
      '/States/Resize/Parameters/a.$',
    ],
    [
      'an intrinsic function with the wrong number of arguments',
      task({ Parameters: { 'a.$': 'States.MathAdd(1)' } }),
      'States.MathAdd takes 2 arguments, got 1 at /States/Resize/Parameters/a.$',
    ],
    [
      'an unknown retrier field',
      task({ Retry: [{ ErrorEquals: ['X'], Foo: 1 }] }),
      '/States/Resize/Retry[0]/Foo',
    ],
    ['both Next and End', task({ Next: 'Resize' }), '/States/Resize'],
    [
      'a Choice operator outside the subset',
      {
        StartAt: 'C',
        States: {
          C: { Type: 'Choice', Choices: [{ Variable: '$', StringContains: 'a', Next: 'D' }], Default: 'D' },
          D: { Type: 'Succeed' },
        },
      },
      '/States/C/Choices[0]/StringContains',
    ],
    [
      'an unreachable state',
      { StartAt: 'A', States: { A: { Type: 'Succeed' }, B: { Type: 'Succeed' } } },
      'UNREACHABLE_STATE',
    ],
    ['text that is not JSON', '{"StartAt":', 'INVALID_JSON_DESCRIPTION'],
    ['a Wait without a duration', { StartAt: 'W', States: { W: { Type: 'Wait', End: true } } }, '/States/W'],
  ])('refuses %s, naming where', (_what, definition, expected) => {
    expect(refusal(definition)).toContain(expected);
  });

  it('lists every problem in one refusal', () => {
    const message = refusal(task({ Foo: 1, Bar: 2 }));
    expect(message).toContain('/States/Resize/Foo');
    expect(message).toContain('/States/Resize/Bar');
  });
});
