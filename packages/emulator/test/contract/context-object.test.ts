// Contract: the context object (`$$`) in JSONPath states.
// AWS page: https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html
// ($$.Execution.Id/Name/Input/StartTime, $$.State.Name/EnteredTime/RetryCount, $$.StateMachine.Id/Name;
// $$.Map.Item.Index/Value inside a Map's ItemSelector is covered in map.test.ts).
import { describe, expect, it } from 'vitest';
import { machinesRunnable, useMachines } from './machines.js';

describe.skipIf(!machinesRunnable)('the context object', () => {
  const kit = useMachines();

  it('gives a state its execution, state machine and state fields', async () => {
    const machine = await kit.createMachine({
      StartAt: 'Look',
      States: {
        Look: {
          Type: 'Pass',
          Parameters: {
            'executionId.$': '$$.Execution.Id',
            'executionName.$': '$$.Execution.Name',
            'executionInput.$': '$$.Execution.Input',
            'startTime.$': '$$.Execution.StartTime',
            'machineId.$': '$$.StateMachine.Id',
            'stateName.$': '$$.State.Name',
            'enteredTime.$': '$$.State.EnteredTime',
            'retryCount.$': '$$.State.RetryCount',
          },
          End: true,
        },
      },
    });
    const executionArn = await kit.start(machine, { order: 42 });
    const done = await kit.finished(executionArn);
    const out = JSON.parse(done.output!) as Record<string, unknown>;
    expect(out).toMatchObject({
      executionId: executionArn,
      executionName: done.name,
      executionInput: { order: 42 },
      machineId: machine,
      stateName: 'Look',
      retryCount: 0,
    });
    for (const field of ['startTime', 'enteredTime']) {
      expect(Number.isNaN(Date.parse(out[field] as string))).toBe(false);
    }
  });
});
