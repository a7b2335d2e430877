// asl-validator (the community's Amazon States Language validator) as an oracle over a corpus of
// definitions: every definition it rejects, we reject too; the valid ones pass both.
import validator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { parseDefinition } from './parse-definition.js';

const ARN = 'arn:aws:states:us-east-1:123456789012:activity:work';
const task = (extra: object = {}) => ({ Type: 'Task', Resource: ARN, End: true, ...extra });
const one = (state: object) => ({ StartAt: 'A', States: { A: state } });
const graph = (name: string, state: object = { Type: 'Pass', End: true }) => ({
  StartAt: name,
  States: { [name]: state },
});

const VALID: [string, object][] = [
  ['a Task', one(task({ TimeoutSeconds: 10, HeartbeatSeconds: 5 }))],
  [
    'Retry and Catch',
    {
      StartAt: 'A',
      States: {
        A: task({
          Retry: [{ ErrorEquals: ['States.Timeout'], MaxAttempts: 2 }],
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'F' }],
        }),
        F: { Type: 'Fail', Error: 'E' },
      },
    },
  ],
  [
    'a Choice',
    {
      StartAt: 'C',
      States: {
        C: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericGreaterThan: 1, Next: 'S' }], Default: 'S' },
        S: { Type: 'Succeed' },
      },
    },
  ],
  ['a Wait', one({ Type: 'Wait', Seconds: 1, End: true })],
  [
    'an inline Map',
    one({
      Type: 'Map',
      ItemsPath: '$.items',
      MaxConcurrency: 5,
      ItemProcessor: graph('P', task()),
      End: true,
    }),
  ],
  ['a Map with Iterator', one({ Type: 'Map', Iterator: graph('P'), End: true })],
  ['a Parallel', one({ Type: 'Parallel', Branches: [graph('X'), graph('Y')], End: true })],
  ['an intrinsic', one({ Type: 'Pass', Parameters: { 'a.$': "States.Format('{}', $.x)" }, End: true })],
];

const INVALID: [string, unknown][] = [
  ['not an object', []],
  ['no StartAt', { States: { A: { Type: 'Succeed' } } }],
  ['no States', { StartAt: 'A' }],
  ['StartAt naming no state', { StartAt: 'B', States: { A: { Type: 'Succeed' } } }],
  ['Next naming no state', one({ Type: 'Pass', Next: 'B' })],
  ['neither Next nor End', one({ Type: 'Pass' })],
  ['an unknown type', one({ Type: 'Loop', End: true })],
  ['a Task without Resource', one({ Type: 'Task', End: true })],
  ['a string TimeoutSeconds', one(task({ TimeoutSeconds: 'ten' }))],
  ['a retrier without ErrorEquals', one(task({ Retry: [{ MaxAttempts: 1 }] }))],
  ['a catcher without Next', one(task({ Catch: [{ ErrorEquals: ['States.ALL'] }] }))],
  ['a Choice without Choices', one({ Type: 'Choice', Default: 'A' })],
  ['a Choice rule without Next', one({ Type: 'Choice', Choices: [{ Variable: '$.a', IsPresent: true }] })],
  [
    'a Wait with two durations',
    one({ Type: 'Wait', Seconds: 1, Timestamp: '2026-01-01T00:00:00Z', End: true }),
  ],
  ['a Fail with Next', { StartAt: 'A', States: { A: { Type: 'Fail', Next: 'B' }, B: { Type: 'Succeed' } } }],
  ['a Succeed with End', one({ Type: 'Succeed', End: true })],
  ['a Map without ItemProcessor', one({ Type: 'Map', End: true })],
  [
    'a Map with a negative MaxConcurrency',
    one({ Type: 'Map', MaxConcurrency: -1, ItemProcessor: graph('P'), End: true }),
  ],
  [
    'a Map whose processor has no StartAt',
    one({ Type: 'Map', ItemProcessor: { States: { P: { Type: 'Succeed' } } }, End: true }),
  ],
  ['a Parallel without Branches', one({ Type: 'Parallel', End: true })],
  [
    'a Parallel with an empty branch',
    one({ Type: 'Parallel', Branches: [{ StartAt: 'X', States: {} }], End: true }),
  ],
  ['a ResultPath that is a number', one({ Type: 'Pass', ResultPath: 5, End: true })],
  ['an InputPath that is not a path', one({ Type: 'Pass', InputPath: 'nope', End: true })],
  ['an unknown top-level field', { StartAt: 'A', States: { A: { Type: 'Succeed' } }, Extra: 1 }],
  ['an unknown state field', one({ Type: 'Pass', End: true, Foo: 1 })],
  ['a Comment that is not a string', one({ Type: 'Pass', End: true, Comment: 5 })],
  ['an End that is not a boolean', one({ Type: 'Pass', End: 'yes' })],
  [
    'a ToleratedFailurePercentage over 100',
    one({ Type: 'Map', ToleratedFailurePercentage: 150, ItemProcessor: graph('P'), End: true }),
  ],
];

describe('asl-validator as an oracle', () => {
  it.each(VALID)('accepts what it accepts: %s', (_label, definition) => {
    expect(validator(structuredClone(definition)).errorsText()).toBe('');
    expect(() => parseDefinition(JSON.stringify(definition))).not.toThrow();
  });

  it.each(INVALID)('rejects what it rejects: %s', (_label, definition) => {
    const oracle = validator(structuredClone(definition));
    // The corpus lists only definitions the oracle rejects, so that a corpus entry cannot pass by accident.
    expect(oracle.isValid).toBe(false);
    expect(() => parseDefinition(JSON.stringify(definition))).toThrow(/Invalid State Machine Definition/);
  });
});
