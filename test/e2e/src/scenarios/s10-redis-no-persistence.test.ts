// Scenario 10: Redis that persists nothing (no AOF, no save schedule). A restart would lose its jobs, so
// bridge and worker warn at start and /readyz shows `persistence: 'none'`; the flow itself loses nothing.
import { describe, expect, it } from 'vitest';
import { runScenario } from '../harness/scenario-test.js';
import { bySize } from '../harness/size.js';

interface Readyz {
  ready: boolean;
  status: { redisSafety: { state: string; persistence: string } };
}

describe('scenario 10: Redis without persistence', () => {
  it('warns at start, shows it in /readyz, and loses nothing in a steady flow', async () => {
    await runScenario({ scenario: '10', title: 'Redis persists nothing: warned' }, async (s) => {
      const polls = 10;
      const bridge = await s.startBridge({ polls });
      const worker = await s.startWorker();
      await s.waitForOpenPolls(polls);
      expect(bridge.text).toMatch(/Redis persists nothing/);
      expect(worker.text).toMatch(/Redis persists nothing/);
      const url = (await bridge.waitForOutput(/HTTP on (http:\/\/\S+)/))[1]!;
      const readyz = (await (await fetch(`${url}/readyz`)).json()) as Readyz;
      expect(readyz.ready).toBe(true);
      expect(readyz.status.redisSafety).toMatchObject({ state: 'safe', persistence: 'none' });

      const count = bySize(40, 300);
      await s.startExecutions(count);
      const outcome = await s.finish();

      expect(outcome.executions.filter((e) => e.status !== 'SUCCEEDED')).toEqual([]);
      expect(outcome.row.lostTokens.total).toBe(0);
      expect(outcome.row.timedOutTasks).toBe(0);
      expect(outcome.runsPerJob.size).toBe(count);
      outcome.row.notes =
        "bridge and worker logged 'Redis persists nothing' at warn at start; /readyz: ready, persistence 'none'.";
      return outcome.row;
    });
  });
});
