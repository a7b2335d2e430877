// Scenario 13: the load a Map state makes. One execution whose inline Map (MaxConcurrency 0) runs one
// activity Task per item over 500 items; one bridge and two workers complete them all, and the Map's
// output is the 500 results in item order.
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../harness/scenario-test.js';

const ITEMS = 500;

describe('scenario 13: Map fan-out', () => {
  it('completes a 500-item Map through one bridge and two workers, results in item order', async () => {
    await runScenario(
      {
        scenario: '13',
        title: `Map over ${ITEMS} items, MaxConcurrency 0`,
        // All 500 tokens arrive at once and wait in Redis for a worker, and that wait counts against the
        // task's clocks (docs/step-functions.md#task-clocks): clocks long enough for a loaded machine.
        clocks: { timeoutSeconds: 300, heartbeatSeconds: 120 },
        definition: (activityArn, clocks) => ({
          StartAt: 'Each',
          States: {
            Each: {
              Type: 'Map',
              ItemsPath: '$.items',
              MaxConcurrency: 0,
              ItemProcessor: {
                StartAt: 'Work',
                States: {
                  Work: {
                    Type: 'Task',
                    Resource: activityArn,
                    TimeoutSeconds: clocks.timeoutSeconds,
                    HeartbeatSeconds: clocks.heartbeatSeconds,
                    Retry: [{ ErrorEquals: ['States.Timeout'], IntervalSeconds: 1, MaxAttempts: 3 }],
                    End: true,
                  },
                },
              },
              End: true,
            },
          },
        }),
      },
      async (s) => {
        await s.startBridge({ polls: 50 });
        await s.startWorker({ CONCURRENCY: '25', HANDLER_MS: '5' });
        await s.startWorker({ CONCURRENCY: '25', HANDLER_MS: '5' });
        const items = Array.from({ length: ITEMS }, (_, i) => ({ execution: `item-${i}` }));
        const [executionArn] = await s.startExecutions(1, 0, () => ({ items }));
        const outcome = await s.finish({ timeoutMs: 120_000 });

        expect(outcome.executions.map((e) => e.status)).toEqual(['SUCCEEDED']);
        const described = await s.sfn.send(new DescribeExecutionCommand({ executionArn }));
        const output = JSON.parse(described.output!) as { execution: string; by: string }[];
        expect(output.map((r) => r.execution)).toEqual(items.map((item) => item.execution));
        // Both workers took part, and every task ran its handler once.
        expect(new Set(output.map((r) => r.by))).toEqual(new Set(['worker-1', 'worker-2']));
        expect(outcome.runsPerJob.size).toBe(ITEMS);
        expect([...outcome.runsPerJob.values()].every((runs) => runs === 1)).toBe(true);
        expect(outcome.row.lostTokens.total).toBe(0);
        expect(outcome.row.timedOutTasks).toBe(0);
        return { ...outcome.row, executions: 1, notes: `${ITEMS} activity tasks from one Map state` };
      },
    );
  });
});
