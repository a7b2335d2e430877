// Contract: the Map state in inline mode through the real SDK over HTTP.
// AWS pages: https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html (fields),
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemselector.html (ItemSelector, $$.Map.Item),
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html (Map* event types),
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html (States.ExceedToleratedFailureThreshold).
import {
  CreateStateMachineCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { uniqueName, until } from '@sfn-bullmq/test-support';
import { describe, expect, it } from 'vitest';
import { machinesRunnable, roleArn, useMachines } from './machines.js';
import { onAws } from './target.js';

/** An inline Map over `$.items` whose iterator is `states` starting at `startAt`, plus Map fields. */
const mapMachine = (processor: object, fields: object = {}, others: object = {}) => ({
  StartAt: 'Each',
  States: {
    Each: { Type: 'Map', ItemsPath: '$.items', ItemProcessor: processor, End: true, ...fields },
    ...others,
  },
});
const passThrough = { StartAt: 'Echo', States: { Echo: { Type: 'Pass', End: true } } };

describe.skipIf(!machinesRunnable)('Map (inline)', () => {
  const kit = useMachines();

  it('runs one iteration per item, with ItemSelector reading $$.Map.Item, and outputs the results in item order', async () => {
    const machine = await kit.createMachine(
      mapMachine(passThrough, {
        ItemSelector: { 'index.$': '$$.Map.Item.Index', 'value.$': '$$.Map.Item.Value', 'tag.$': '$.tag' },
        ResultPath: '$.results',
      }),
    );
    const executionArn = await kit.start(machine, { tag: 't', items: ['a', 'b', 'c'] });
    const done = await kit.finished(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({
      tag: 't',
      items: ['a', 'b', 'c'],
      results: [
        { index: 0, value: 'a', tag: 't' },
        { index: 1, value: 'b', tag: 't' },
        { index: 2, value: 'c', tag: 't' },
      ],
    });
    const events = await kit.history(executionArn);
    const types = events.map((e) => e.type);
    expect(types.slice(0, 3)).toEqual(['ExecutionStarted', 'MapStateEntered', 'MapStateStarted']);
    expect(events[2]!.mapStateStartedEventDetails).toEqual({ length: 3 });
    expect(types.slice(-3)).toEqual(['MapStateSucceeded', 'MapStateExited', 'ExecutionSucceeded']);
    const started = events.filter((e) => e.type === 'MapIterationStarted');
    expect(
      started.map((e) => e.mapIterationStartedEventDetails).sort((a, b) => a!.index! - b!.index!),
    ).toEqual([
      { name: 'Each', index: 0 },
      { name: 'Each', index: 1 },
      { name: 'Each', index: 2 },
    ]);
    expect(types.filter((t) => t === 'MapIterationSucceeded')).toHaveLength(3);
    expect(types.filter((t) => t === 'PassStateEntered')).toHaveLength(3);
  });

  it('accepts the older Iterator and Parameters fields', async () => {
    const machine = await kit.createMachine({
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          Parameters: { 'n.$': '$$.Map.Item.Value' },
          Iterator: passThrough,
          End: true,
        },
      },
    });
    const done = await kit.finished(await kit.start(machine, { items: [1, 2] }));
    expect(JSON.parse(done.output!)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('outputs [] for an empty array and fails with States.Runtime when ItemsPath is not an array', async () => {
    const machine = await kit.createMachine(mapMachine(passThrough));
    const empty = await kit.finished(await kit.start(machine, { items: [] }));
    expect(empty).toMatchObject({ status: 'SUCCEEDED', output: '[]' });
    const bad = await kit.finished(await kit.start(machine, { items: { not: 'an array' } }));
    expect(bad).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });

  it('hands each item to the activity and outputs the workers results in item order', async () => {
    const activityArn = await kit.target.createActivity('map');
    const machine = await kit.createMachine(
      mapMachine({ StartAt: 'Work', States: { Work: { Type: 'Task', Resource: activityArn, End: true } } }),
    );
    const executionArn = await kit.start(machine, { items: [10, 20, 30] });
    const tasks = [await kit.poll(activityArn), await kit.poll(activityArn), await kit.poll(activityArn)];
    // Answer in reverse: the output keeps item order whatever order the tasks finish in.
    for (const task of tasks.reverse()) {
      const n = JSON.parse(task.input) as number;
      await kit.target.client.send(
        new SendTaskSuccessCommand({ taskToken: task.token, output: JSON.stringify({ doubled: n * 2 }) }),
      );
    }
    const done = await kit.finished(executionArn);
    expect(JSON.parse(done.output!)).toEqual([{ doubled: 20 }, { doubled: 40 }, { doubled: 60 }]);
  });

  it('fails the Map when an iteration fails, and a Catch on the Map catches it', async () => {
    const machine = await kit.createMachine(
      mapMachine(
        {
          StartAt: 'Check',
          States: {
            Check: {
              Type: 'Choice',
              Choices: [{ Variable: '$', NumericEquals: 2, Next: 'Boom' }],
              Default: 'Fine',
            },
            Boom: { Type: 'Fail', Error: 'Item.Bad', Cause: 'two is bad' },
            Fine: { Type: 'Pass', End: true },
          },
        },
        {
          Catch: [{ ErrorEquals: ['Item.Bad'], Next: 'Caught', ResultPath: '$.error' }],
          End: undefined,
          Next: 'Done',
        },
        { Caught: { Type: 'Pass', End: true }, Done: { Type: 'Succeed' } },
      ),
    );
    const done = await kit.finished(await kit.start(machine, { items: [1, 2, 3] }));
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({
      items: [1, 2, 3],
      error: { Error: 'Item.Bad', Cause: 'two is bad' },
    });
    const types = (await kit.history(done.executionArn!)).map((e) => e.type);
    expect(types).toContain('MapIterationFailed');
    expect(types).toContain('MapStateFailed');
    expect(types).not.toContain('MapStateSucceeded');
  });

  it('tolerates ToleratedFailureCount failed items, and past it fails with States.ExceedToleratedFailureThreshold', async () => {
    const failingOdd = {
      StartAt: 'Check',
      States: {
        Check: {
          Type: 'Choice',
          Choices: [{ Variable: '$.odd', BooleanEquals: true, Next: 'Boom' }],
          Default: 'Fine',
        },
        Boom: { Type: 'Fail', Error: 'Odd' },
        Fine: { Type: 'Pass', End: true },
      },
    };
    const machine = await kit.createMachine(mapMachine(failingOdd, { ToleratedFailureCount: 1 }));
    const one = await kit.finished(await kit.start(machine, { items: [{ odd: false }, { odd: true }] }));
    expect(one.status).toBe('SUCCEEDED');
    const two = await kit.finished(
      await kit.start(machine, { items: [{ odd: true }, { odd: false }, { odd: true }] }),
    );
    expect(two).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
  });

  it('refuses a Distributed Map by name', async () => {
    await expect(
      kit.target.client.send(
        new CreateStateMachineCommand({
          name: uniqueName('distributed').slice(0, 80),
          definition: JSON.stringify(
            mapMachine({
              ...passThrough,
              ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
            }),
          ),
          roleArn,
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidDefinition' });
  });

  describe.skipIf(onAws)('on the emulator', () => {
    it('keeps at most MaxConcurrency iterations open, starting the next as one ends', async () => {
      const activityArn = await kit.target.createActivity('mapmax');
      const machine = await kit.createMachine(
        mapMachine(
          { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: activityArn, End: true } } },
          { MaxConcurrency: 2 },
        ),
      );
      const executionArn = await kit.start(machine, { items: [1, 2, 3, 4, 5] });
      const scheduled = () => kit.target.emulator!.stats().activities[activityArn]?.scheduled ?? 0;
      await until(() => scheduled() === 2, { timeoutMs: 10_000 });
      const first = await kit.poll(activityArn);
      await kit.target.client.send(new SendTaskSuccessCommand({ taskToken: first.token, output: '1' }));
      await until(() => scheduled() === 3, { timeoutMs: 10_000 });
      for (let i = 0; i < 4; i++) {
        const task = await kit.poll(activityArn);
        await kit.target.client.send(
          new SendTaskSuccessCommand({ taskToken: task.token, output: task.input }),
        );
      }
      const done = await kit.finished(executionArn);
      expect(JSON.parse(done.output!)).toEqual([1, 2, 3, 4, 5]);
      expect(scheduled()).toBe(5);
    });

    it('retries the whole Map on a matching Retry, and stopping it closes every open iteration', async () => {
      const activityArn = await kit.target.createActivity('mapretry');
      const machine = await kit.createMachine(
        mapMachine(
          { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: activityArn, End: true } } },
          { Retry: [{ ErrorEquals: ['Worker.Flaky'], IntervalSeconds: 1, MaxAttempts: 1 }] },
        ),
      );
      const executionArn = await kit.start(machine, { items: ['a', 'b'] });
      const task = await kit.poll(activityArn);
      await kit.target.client.send(
        new SendTaskFailureCommand({ taskToken: task.token, error: 'Worker.Flaky' }),
      );
      const stats = () => kit.target.emulator!.stats();
      await until(() => stats().activities[activityArn]?.scheduled === 4, { timeoutMs: 10_000 });
      const events = await kit.history(executionArn);
      expect(events.filter((e) => e.type === 'MapStateStarted')).toHaveLength(2);
      await kit.target.client.send(new StopExecutionCommand({ executionArn }));
      const stopped = await kit.finished(executionArn);
      expect(stopped.status).toBe('ABORTED');
      expect(stats().totals.openTasks).toBe(0);
      const types = (await kit.history(executionArn)).map((e) => e.type);
      // One when the first attempt failed (its sibling was cut short), two when the second was stopped.
      expect(types.filter((t) => t === 'MapIterationAborted')).toHaveLength(3);
      expect(types.slice(-2)).toEqual(['MapStateAborted', 'ExecutionAborted']);
    });
  });
});
