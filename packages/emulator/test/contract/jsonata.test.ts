// Contract: JSONata states (QueryLanguage "JSONata") through the real SDK over HTTP.
// AWS page: https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html ("Transforming data
// with JSONata": Arguments, Output, `{% %}`, $states.input/result/errorOutput/context, Choice Condition,
// Map Items, States.QueryEvaluationError) and
// https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html (Assign).
import { SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { machinesRunnable, useMachines } from './machines.js';

describe.skipIf(!machinesRunnable)('JSONata states', () => {
  const kit = useMachines();

  it('builds a Task input from Arguments and its output from Output with $states.input and $states.result', async () => {
    const activityArn = await kit.target.createActivity('jsonata');
    const machine = await kit.createMachine({
      QueryLanguage: 'JSONata',
      StartAt: 'Price',
      States: {
        Price: {
          Type: 'Task',
          Resource: activityArn,
          Arguments: { sku: '{% $states.input.order.sku %}', qty: '{% $states.input.order.qty * 2 %}' },
          Output: {
            order: '{% $states.input.order.id %}',
            total: '{% $states.result.unit * $states.result.qty %}',
            state: '{% $states.context.State.Name %}',
          },
          End: true,
        },
      },
    });
    const executionArn = await kit.start(machine, { order: { id: 'o-1', sku: 'pen', qty: 3 } });
    const task = await kit.poll(activityArn);
    expect(JSON.parse(task.input)).toEqual({ sku: 'pen', qty: 6 });
    await kit.target.client.send(
      new SendTaskSuccessCommand({ taskToken: task.token, output: JSON.stringify({ unit: 2, qty: 6 }) }),
    );
    const done = await kit.finished(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ order: 'o-1', total: 12, state: 'Price' });
  });

  it('passes on the Task result when there is no Output, and $states.errorOutput to a Catch', async () => {
    const activityArn = await kit.target.createActivity('jsonatacatch');
    const machine = await kit.createMachine({
      QueryLanguage: 'JSONata',
      StartAt: 'Work',
      States: {
        Work: {
          Type: 'Task',
          Resource: activityArn,
          Catch: [
            {
              ErrorEquals: ['States.ALL'],
              Next: 'Failed',
              Output: { error: '{% $states.errorOutput.Error %}', was: '{% $states.input.n %}' },
            },
          ],
          End: true,
        },
        Failed: { Type: 'Pass', End: true },
      },
    });
    const ok = await kit.start(machine, { n: 1 });
    const first = await kit.poll(activityArn);
    await kit.target.client.send(new SendTaskSuccessCommand({ taskToken: first.token, output: '{"r":7}' }));
    expect(JSON.parse((await kit.finished(ok)).output!)).toEqual({ r: 7 });

    const caught = await kit.start(machine, { n: 2 });
    const second = await kit.poll(activityArn);
    await kit.target.client.send(
      new SendTaskFailureCommand({ taskToken: second.token, error: 'Boom', cause: 'why' }),
    );
    const done = await kit.finished(caught);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ error: 'Boom', was: 2 });
  });

  it('shapes a Pass output with Output, and chooses by Condition', async () => {
    const machine = await kit.createMachine({
      QueryLanguage: 'JSONata',
      StartAt: 'Shape',
      States: {
        Shape: {
          Type: 'Pass',
          Output: { big: '{% $states.input.n > 10 %}', n: '{% $states.input.n %}' },
          Next: 'Pick',
        },
        Pick: {
          Type: 'Choice',
          Choices: [{ Condition: '{% $states.input.big %}', Next: 'Big' }],
          Default: 'Small',
        },
        Big: { Type: 'Pass', Output: '{% "big " & $string($states.input.n) %}', End: true },
        Small: { Type: 'Succeed', Output: { small: '{% $states.input.n %}' } },
      },
    });
    const big = await kit.start(machine, { n: 11 });
    const small = await kit.start(machine, { n: 3 });
    expect(JSON.parse((await kit.finished(big)).output!)).toBe('big 11');
    expect(JSON.parse((await kit.finished(small)).output!)).toEqual({ small: 3 });
  });

  it('runs the Assign and Output of the Choice rule that matched', async () => {
    const machine = await kit.createMachine({
      QueryLanguage: 'JSONata',
      StartAt: 'Pick',
      States: {
        Pick: {
          Type: 'Choice',
          Choices: [
            {
              Condition: '{% $states.input.n > 1 %}',
              Assign: { picked: 'many' },
              Output: { n: '{% $states.input.n %}' },
              Next: 'Show',
            },
          ],
          Default: 'Show',
        },
        Show: { Type: 'Pass', Output: { picked: '{% $picked %}', n: '{% $states.input.n %}' }, End: true },
      },
    });
    const done = await kit.finished(await kit.start(machine, { n: 2, extra: true }));
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ picked: 'many', n: 2 });
  });

  it('maps over Items with an ItemSelector reading $states.context.Map.Item', async () => {
    const machine = await kit.createMachine({
      QueryLanguage: 'JSONata',
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          Items: '{% $states.input.orders[qty > 0] %}',
          ItemSelector: {
            index: '{% $states.context.Map.Item.Index %}',
            id: '{% $states.context.Map.Item.Value.id %}',
          },
          ItemProcessor: {
            StartAt: 'Echo',
            States: {
              Echo: { Type: 'Pass', Output: '{% $states.input.id & "#" & $states.input.index %}', End: true },
            },
          },
          Output: { ids: '{% $states.result %}' },
          End: true,
        },
      },
    });
    const executionArn = await kit.start(machine, {
      orders: [
        { id: 'a', qty: 1 },
        { id: 'b', qty: 0 },
        { id: 'c', qty: 2 },
      ],
    });
    const done = await kit.finished(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ ids: ['a#0', 'c#1'] });
  });

  it('evaluates the Error and Cause of a Fail state', async () => {
    const machine = await kit.createMachine({
      QueryLanguage: 'JSONata',
      StartAt: 'Stop',
      States: {
        Stop: {
          Type: 'Fail',
          Error: '{% "Order." & $states.input.reason %}',
          Cause: '{% "order " & $states.input.id %}',
        },
      },
    });
    const done = await kit.finished(await kit.start(machine, { reason: 'Invalid', id: 'o-9' }));
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('Order.Invalid');
    expect(done.cause).toBe('order o-9');
  });

  it('waits for the Seconds an expression gives, and fails when it gives no integer', async () => {
    const machine = await kit.createMachine({
      QueryLanguage: 'JSONata',
      StartAt: 'Pause',
      States: {
        Pause: {
          Type: 'Wait',
          Seconds: '{% $states.input.delay %}',
          Output: { waited: '{% $states.input.delay %}' },
          End: true,
        },
      },
    });
    const waited = await kit.start(machine, { delay: 1 });
    const refused = await kit.start(machine, { delay: 'soon' });
    const done = await kit.finished(waited);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ waited: 1 });
    const history = await kit.history(waited);
    expect(history.map((e) => e.type)).toContain('WaitStateExited');
    const failed = await kit.finished(refused);
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('States.QueryEvaluationError');
  });

  it('gives Parallel branches its Arguments, and a Catch can match States.QueryEvaluationError', async () => {
    const machine = await kit.createMachine({
      QueryLanguage: 'JSONata',
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          Arguments: { n: '{% $states.input.n * 10 %}' },
          Branches: [
            { StartAt: 'Echo', States: { Echo: { Type: 'Pass', End: true } } },
            {
              StartAt: 'Check',
              States: {
                Check: {
                  Type: 'Pass',
                  Output: '{% $states.input.n > 50 ? $error("too big") : "ok" %}',
                  End: true,
                },
              },
            },
          ],
          Output: { echoed: '{% $states.result[0].n %}', check: '{% $states.result[1] %}' },
          Catch: [
            {
              ErrorEquals: ['States.QueryEvaluationError'],
              Output: { caught: '{% $states.errorOutput.Error %}', n: '{% $states.input.n %}' },
              Next: 'Caught',
            },
          ],
          End: true,
        },
        Caught: { Type: 'Pass', End: true },
      },
    });
    const ok = await kit.finished(await kit.start(machine, { n: 2 }));
    expect(JSON.parse(ok.output!)).toEqual({ echoed: 20, check: 'ok' });
    const caught = await kit.finished(await kit.start(machine, { n: 9 }));
    expect(caught.status).toBe('SUCCEEDED');
    expect(JSON.parse(caught.output!)).toEqual({ caught: 'States.QueryEvaluationError', n: 9 });
  });

  it('fails with States.QueryEvaluationError when an expression fails', async () => {
    const machine = await kit.createMachine({
      QueryLanguage: 'JSONata',
      StartAt: 'Bad',
      States: { Bad: { Type: 'Pass', Output: '{% $number("not a number") %}', End: true } },
    });
    const done = await kit.finished(await kit.start(machine, {}));
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('States.QueryEvaluationError');
  });
});
