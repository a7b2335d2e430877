// Scenario 1 on a Redis Cluster (3 masters + 3 replicas): the same steady flow, bridges and workers
// connected with `redis.cluster`, the queue under its own hash tag.
import { describe, expect, it } from 'vitest';
import { runScenario } from '../harness/scenario-test.js';
import { bySize } from '../harness/size.js';

describe('scenario 1c: steady flow on a Redis Cluster', () => {
  it('runs every task once through 2 bridges × 3 workers on the cluster', async () => {
    await runScenario(
      { scenario: '1c', title: 'steady flow on a Redis Cluster, 2 bridges × 3 workers', cluster: true },
      async (s) => {
        const polls = bySize(10, 100);
        await s.startBridge({ polls });
        await s.startBridge({ polls });
        await s.waitForOpenPolls(2 * polls);
        for (let i = 0; i < 3; i += 1) await s.startWorker();

        await s.startExecutions(bySize(40, 400));
        const outcome = await s.finish();
        await s.waitForOpenPolls(2 * polls);

        expect(outcome.executions.filter((e) => e.status !== 'SUCCEEDED')).toEqual([]);
        expect(outcome.row.lostTokens.total).toBe(0);
        expect(outcome.row.timedOutTasks).toBe(0);
        expect(outcome.runsPerJob.size).toBe(s.executionCount);
        expect([...outcome.runsPerJob.values()].every((runs) => runs === 1)).toBe(true);
        const runs = s.runRecords().filter((r) => r.event === 'run');
        expect(new Set(runs.map((r) => r.bridge))).toEqual(new Set(['bridge-1', 'bridge-2']));
        expect(new Set(runs.map((r) => r.worker)).size).toBe(3);
        // The jobs are on the cluster, in the queue's slot.
        const counts = await s.queueCounts();
        expect(counts['completed']).toBe(s.executionCount);
        return outcome.row;
      },
    );
  });
});
