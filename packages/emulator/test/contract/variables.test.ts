// Contract: workflow variables (Assign) in JSONPath and JSONata states, and their scope.
// AWS page: https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html ("Passing data
// between states with variables": Assign in Pass/Task/Map/Parallel/Choice/Wait, `$name` from JSONPath and
// JSONata, all assignments of a state read the values at state entry, a Map iteration or a Parallel branch
// reads outer variables and its own assignments stay inside it).
import { describe, expect, it } from 'vitest';
import { machinesRunnable, useMachines } from './machines.js';

describe.skipIf(!machinesRunnable)('workflow variables', () => {
  const kit = useMachines();

  it('assigns in a JSONPath state and reads the variable later as $name', async () => {
    const machine = await kit.createMachine({
      StartAt: 'Remember',
      States: {
        Remember: {
          Type: 'Pass',
          // In a JSONPath state `$` in Assign reads the state's result: here Parameters' output.
          Parameters: { 'customer.$': '$.customer', dropped: true },
          Assign: { 'customer.$': '$.customer', fixed: 5 },
          Next: 'Use',
        },
        Use: {
          Type: 'Pass',
          Parameters: { 'who.$': '$customer.name', 'fixed.$': '$fixed', 'now.$': '$.dropped' },
          End: true,
        },
      },
    });
    const done = await kit.finished(await kit.start(machine, { customer: { name: 'Ada' } }));
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ who: 'Ada', fixed: 5, now: true });
    expect(done.output).not.toContain('customer');
  });

  it('evaluates every assignment of a state against the values at state entry', async () => {
    const machine = await kit.createMachine({
      QueryLanguage: 'JSONata',
      StartAt: 'First',
      States: {
        First: { Type: 'Pass', Assign: { x: 1 }, Next: 'Swap' },
        Swap: {
          Type: 'Pass',
          Assign: { x: '{% $x + 1 %}', y: '{% $x %}' },
          Output: { seenX: '{% $x %}' },
          Next: 'Show',
        },
        Show: {
          Type: 'Pass',
          Output: { x: '{% $x %}', y: '{% $y %}', seenX: '{% $states.input.seenX %}' },
          End: true,
        },
      },
    });
    const done = await kit.finished(await kit.start(machine, {}));
    expect(JSON.parse(done.output!)).toEqual({ x: 2, y: 1, seenX: 1 });
  });

  it('lets Map iterations and Parallel branches read outer variables, and keeps their assignments inside', async () => {
    const machine = await kit.createMachine({
      QueryLanguage: 'JSONata',
      StartAt: 'Outer',
      States: {
        Outer: { Type: 'Pass', Assign: { base: 10, mark: 'outer' }, Next: 'Each' },
        Each: {
          Type: 'Map',
          Items: '{% [1, 2] %}',
          ItemProcessor: {
            StartAt: 'Inner',
            States: {
              Inner: { Type: 'Pass', Assign: { mark: 'inner' }, Next: 'Add' },
              Add: { Type: 'Pass', Output: '{% $base + $states.input & "/" & $mark %}', End: true },
            },
          },
          Assign: { mapped: '{% $states.result %}' },
          Next: 'Both',
        },
        Both: {
          Type: 'Parallel',
          Branches: [
            {
              StartAt: 'Left',
              States: { Left: { Type: 'Pass', Assign: { mark: 'left' }, Output: '{% $base %}', End: true } },
            },
          ],
          Next: 'Show',
        },
        Show: {
          Type: 'Pass',
          Output: { mapped: '{% $mapped %}', mark: '{% $mark %}', branch: '{% $states.input %}' },
          End: true,
        },
      },
    });
    const done = await kit.finished(await kit.start(machine, {}));
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({
      mapped: ['11/inner', '12/inner'],
      mark: 'outer',
      branch: [10],
    });
  });
});
