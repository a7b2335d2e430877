// Scenario 6: Redis (AOF on) stopped and started again while tasks flow: the bridge holds the
// tokens it receives and pauses polling, workers reconnect, and nothing is lost.
import { describe, expect, it } from 'vitest';
import { runScenario } from '../harness/scenario-test.js';
import { bySize } from '../harness/size.js';
import { sleep, until } from '@sfn-bullmq/test-support';

describe('scenario 6: Redis restarted mid-run', () => {
  it('holds tokens while Redis is down and loses none once it is back', async () => {
    await runScenario(
      {
        scenario: '6',
        title: 'Redis restart (AOF) mid-run',
        appendOnly: true,
        // Held tokens' clocks run while Redis is down: HeartbeatSeconds well above the outage.
        clocks: { timeoutSeconds: 30, heartbeatSeconds: 10, retryAttempts: 3 },
      },
      async (s) => {
        const polls = 10;
        const bridge = await s.startBridge({ polls });
        // Locks longer than the outage, so a job running across it is not taken for stalled.
        const workerSettings = { HANDLER_MS: '100', LOCK_MS: '8000', STALLED_MS: '1000' };
        await s.startWorker(workerSettings);
        await s.startWorker(workerSettings);
        await s.waitForOpenPolls(polls);

        const count = bySize(40, 400);
        const flow = s.startExecutions(count, bySize(75, 10));
        await until(() => s.runRecords().length >= 10, {
          what: 'a few tasks done before the outage',
          timeoutMs: 20_000,
          intervalMs: 100,
          retryOnError: true,
        });
        await s.redis.stop();
        const outageMs = 2500;
        await sleep(outageMs / 2);
        // The bridge stops opening polls while it cannot store tokens (paused, not polling).
        const paused = await s.activityStats();
        await sleep(outageMs / 2);
        await s.redis.restart();
        await flow;
        const outcome = await s.finish({ timeoutMs: 90_000 });

        expect(bridge.running).toBe(true);
        expect(paused.openPolls).toBeLessThan(polls);
        expect(outcome.executions.filter((e) => e.status !== 'SUCCEEDED')).toEqual([]);
        expect(outcome.row.lostTokens.total).toBe(0);
        expect(outcome.row.timedOutTasks).toBe(0);
        expect(outcome.runsPerJob.size).toBe(count);
        expect([...outcome.runsPerJob.values()].every((n) => n === 1)).toBe(true);
        outcome.row.notes = `Redis down ${outageMs} ms; open polls during the outage: ${paused.openPolls} of ${polls}.`;
        return outcome.row;
      },
    );
  });
});
