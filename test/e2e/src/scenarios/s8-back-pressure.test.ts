// Scenario 8: back-pressure. Workers stop while executions keep coming: the bridge stops polling
// at its high-water mark, so the queue stays bounded and the rest wait inside Step Functions
// (where their clocks do not run); when workers return, everything succeeds.
import { describe, expect, it } from 'vitest';
import { runScenario } from '../harness/scenario-test.js';
import { bySize } from '../harness/size.js';
import { sleep, until } from '@sfn-bullmq/test-support';

describe('scenario 8: back-pressure', () => {
  it('keeps the waiting queue under its high-water mark while workers are gone, then finishes all', async () => {
    await runScenario(
      {
        scenario: '8',
        title: 'back-pressure: workers stopped',
        // Tokens in Redis wait with their clocks running: HeartbeatSeconds above the outage.
        clocks: { timeoutSeconds: 60, heartbeatSeconds: 30, retryAttempts: 3 },
      },
      async (s) => {
        const polls = 10;
        const maxWaiting = 10;
        await s.startBridge({ polls, maxWaiting, resumeBelow: 5 });
        const first = [await s.startWorker(), await s.startWorker()];
        await s.waitForOpenPolls(polls);
        const warmUp = bySize(10, 100);
        await s.startExecutions(warmUp);
        await until(() => s.runRecords().length >= 2 * warmUp, {
          what: 'the warm-up tasks done',
          timeoutMs: 20_000,
          intervalMs: 100,
          retryOnError: true,
        });

        await Promise.all(first.map((worker) => worker.stop()));
        const backlog = bySize(40, 400);
        await s.startExecutions(backlog);
        // The queue fills to the mark (plus polls already open when it was reached), then polling stops.
        await until(async () => (await s.activityStats()).openPolls === 0, {
          what: 'polling to stop',
          timeoutMs: 20_000,
          intervalMs: 100,
          retryOnError: true,
        });
        let maxSeen = 0;
        for (let i = 0; i < 10; i += 1) {
          maxSeen = Math.max(maxSeen, (await s.queueCounts())['waiting'] ?? 0);
          await sleep(200);
        }
        const inStepFunctions = (await s.activityStats()).waiting;

        await s.startWorker();
        await s.startWorker();
        const outcome = await s.finish({ timeoutMs: 90_000 });

        expect(maxSeen).toBeGreaterThanOrEqual(maxWaiting);
        expect(maxSeen).toBeLessThanOrEqual(maxWaiting + polls);
        expect(inStepFunctions).toBeGreaterThanOrEqual(backlog - maxWaiting - polls);
        expect(outcome.executions.filter((e) => e.status !== 'SUCCEEDED')).toEqual([]);
        expect(outcome.row.lostTokens.total).toBe(0);
        expect(outcome.row.timedOutTasks).toBe(0);
        expect(outcome.runsPerJob.size).toBe(warmUp + backlog);
        expect([...outcome.runsPerJob.values()].every((n) => n === 1)).toBe(true);
        outcome.row.notes =
          `maxWaiting ${maxWaiting}, ${polls} polls: with no workers the queue held at most ${maxSeen} ` +
          `waiting jobs and ${inStepFunctions} tasks waited in Step Functions with no poll open.`;
        return outcome.row;
      },
    );
  });
});
