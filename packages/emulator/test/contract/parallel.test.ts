// Contract: the Parallel state through the real SDK over HTTP.
// AWS pages: https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html (Branches, output array,
// a failing branch fails the state and stops the others),
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html (Parallel* event types).
import { SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { until } from '@sfn-bullmq/test-support';
import { describe, expect, it } from 'vitest';
import { machinesRunnable, useMachines } from './machines.js';
import { onAws } from './target.js';

const branch = (states: object, startAt = Object.keys(states)[0]) => ({ StartAt: startAt, States: states });

describe.skipIf(!machinesRunnable)('Parallel', () => {
  const kit = useMachines();

  it('runs every branch on the same input and outputs their results in branch order', async () => {
    const activityArn = await kit.target.createActivity('parallel');
    const machine = await kit.createMachine({
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          Branches: [
            branch({ Slow: { Type: 'Task', Resource: activityArn, End: true } }),
            branch({ Fast: { Type: 'Pass', Result: 'fast', End: true } }),
          ],
          ResultSelector: { 'slow.$': '$[0]', 'fast.$': '$[1]' },
          ResultPath: '$.both',
          Next: 'Done',
        },
        Done: { Type: 'Succeed' },
      },
    });
    const executionArn = await kit.start(machine, { id: 7 });
    const task = await kit.poll(activityArn);
    expect(JSON.parse(task.input)).toEqual({ id: 7 });
    await kit.target.client.send(new SendTaskSuccessCommand({ taskToken: task.token, output: '"slow"' }));
    const done = await kit.finished(executionArn);
    expect(JSON.parse(done.output!)).toEqual({ id: 7, both: { slow: 'slow', fast: 'fast' } });
    const types = (await kit.history(executionArn)).map((e) => e.type);
    expect(types.slice(0, 3)).toEqual(['ExecutionStarted', 'ParallelStateEntered', 'ParallelStateStarted']);
    expect(types).toContain('ParallelStateSucceeded');
    expect(types.indexOf('ParallelStateSucceeded')).toBeLessThan(types.indexOf('ParallelStateExited'));
  });

  it('fails the state when one branch fails, and a Catch on it catches the error', async () => {
    const machine = await kit.createMachine({
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          Branches: [
            branch({ Ok: { Type: 'Pass', End: true } }),
            branch({ Boom: { Type: 'Fail', Error: 'Branch.Failed', Cause: 'on purpose' } }),
          ],
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Handled' }],
          End: true,
        },
        Handled: { Type: 'Pass', End: true },
      },
    });
    const done = await kit.finished(await kit.start(machine, {}));
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ Error: 'Branch.Failed', Cause: 'on purpose' });
    const types = (await kit.history(done.executionArn!)).map((e) => e.type);
    expect(types).toContain('ParallelStateFailed');
  });

  describe.skipIf(onAws)('on the emulator', () => {
    it('stops the other branches when one fails: their open tasks close', async () => {
      const activityArn = await kit.target.createActivity('parstop');
      const machine = await kit.createMachine({
        StartAt: 'Both',
        States: {
          Both: {
            Type: 'Parallel',
            Branches: [
              branch({ Wait: { Type: 'Task', Resource: activityArn, End: true } }),
              branch({ Work: { Type: 'Task', Resource: activityArn, End: true } }),
            ],
            End: true,
          },
        },
      });
      const executionArn = await kit.start(machine, {});
      const stats = () => kit.target.emulator!.stats();
      await until(() => stats().totals.openTasks === 2, { timeoutMs: 10_000 });
      const task = await kit.poll(activityArn);
      await kit.target.client.send(new SendTaskFailureCommand({ taskToken: task.token, error: 'Nope' }));
      const done = await kit.finished(executionArn);
      expect(done).toMatchObject({ status: 'FAILED', error: 'Nope' });
      expect(stats().totals.openTasks).toBe(0);
    });
  });
});
