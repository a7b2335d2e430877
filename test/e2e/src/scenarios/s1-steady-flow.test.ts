// Scenario 1: steady flow through 2 bridges and 3 workers sharing one queue: every execution
// succeeds, each handler runs once, and the emulator sees the sum of the bridges' pools open.
import { describe, expect, it } from 'vitest';
import { runScenario } from '../harness/scenario-test.js';
import { bySize } from '../harness/size.js';

describe('scenario 1: steady flow', () => {
  it('runs every task once through 2 bridges × 3 workers, with both pools open on the ARN', async () => {
    await runScenario({ scenario: '1', title: 'steady flow, 2 bridges × 3 workers' }, async (s) => {
      const polls = bySize(10, 100);
      await s.startBridge({ polls });
      await s.startBridge({ polls });
      await s.waitForOpenPolls(2 * polls);
      for (let i = 0; i < 3; i += 1) await s.startWorker();

      await s.startExecutions(bySize(40, 400));
      const outcome = await s.finish();
      // Between tasks every slot reopens its poll: back to the sum of both pools.
      await s.waitForOpenPolls(2 * polls);

      expect(outcome.executions.filter((e) => e.status !== 'SUCCEEDED')).toEqual([]);
      expect(outcome.row.lostTokens.total).toBe(0);
      expect(outcome.row.timedOutTasks).toBe(0);
      expect(outcome.runsPerJob.size).toBe(s.executionCount);
      expect([...outcome.runsPerJob.values()].every((runs) => runs === 1)).toBe(true);
      // Both bridges and all three workers took part.
      const runs = s.runRecords().filter((r) => r.event === 'run');
      expect(new Set(runs.map((r) => r.bridge))).toEqual(new Set(['bridge-1', 'bridge-2']));
      const workers = new Set(runs.map((r) => r.worker));
      expect(workers.size).toBe(3);
      return outcome.row;
    });
  });
});
