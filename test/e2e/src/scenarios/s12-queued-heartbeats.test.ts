// Scenario 12: queued heartbeats. Tasks wait in Redis far longer than their HeartbeatSeconds (no worker
// runs) and a third of their executions are stopped meanwhile: the bridge keeps the others alive with
// heartbeats and removes the stopped ones' jobs, so once workers start every live task succeeds, none
// timed out, and no handler ran for a stopped execution.
import { StopExecutionCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../harness/scenario-test.js';
import { bySize } from '../harness/size.js';
import { sleep, until } from '@sfn-bullmq/test-support';

describe('scenario 12: queued heartbeats', () => {
  it('keeps waiting tasks alive past HeartbeatSeconds and sweeps the jobs of stopped executions', async () => {
    await runScenario(
      {
        scenario: '12',
        title: 'queued heartbeats: wait 3× HB, 30% stopped',
        // No retry: a task that timed out while waiting would fail its execution, not hide behind a retry.
        clocks: { timeoutSeconds: 120, heartbeatSeconds: 3, retryAttempts: 0 },
      },
      async (s) => {
        const count = bySize(60, 200);
        const stopCount = Math.floor(count * 0.3);
        const waitMs = bySize(9_000, 20_000);
        await s.startBridge({ polls: 20, maxWaiting: 1_000, queuedHeartbeatIntervalMs: 1_500 });
        await s.waitForOpenPolls(20);
        const arns = await s.startExecutions(count);
        await until(async () => (await s.queueCounts())['waiting'] ?? 0, {
          what: `${count} waiting jobs`,
          accept: (waiting) => waiting === count,
          timeoutMs: 20_000,
          intervalMs: 100,
          retryOnError: true,
        });
        const stopped = arns.slice(0, stopCount);
        for (const executionArn of stopped) await s.sfn.send(new StopExecutionCommand({ executionArn }));
        await until(async () => (await s.queueCounts())['waiting'] ?? 0, {
          what: `${count - stopCount} waiting jobs after the sweep`,
          accept: (waiting) => waiting === count - stopCount,
          timeoutMs: 20_000,
          intervalMs: 100,
          retryOnError: true,
        });
        // The rest wait on, far past their HeartbeatSeconds, before any worker exists.
        await sleep(waitMs);
        expect(s.runRecords()).toEqual([]);

        await s.startWorker({ CONCURRENCY: '20' });
        const stoppedNames = new Set(stopped.map((arn) => arn.slice(arn.lastIndexOf(':') + 1)));
        const outcome = await s.finish({
          timeoutMs: 60_000,
          expectedFailure: (e) => e.status === 'ABORTED' && stoppedNames.has(e.name),
        });
        expect(outcome.executions.filter((e) => e.status === 'ABORTED')).toHaveLength(stopCount);
        expect(outcome.row.failedUnexpected).toBe(0);
        expect(outcome.row.succeeded).toBe(count - stopCount);
        expect(outcome.row.timedOutTasks).toBe(0);
        expect(outcome.row.lostTokens.total).toBe(0);
        const ranFor = new Set(s.runRecords().map((r) => r.execution));
        expect([...stoppedNames].filter((name) => ranFor.has(name))).toEqual([]);
        expect(outcome.runsPerJob.size).toBe(count - stopCount);
        expect([...outcome.runsPerJob.values()].every((n) => n === 1)).toBe(true);
        outcome.row.notes =
          `HeartbeatSeconds 3, queuedHeartbeatIntervalMs 1500: ${count - stopCount} tasks waited ` +
          `${waitMs / 1000} s with no worker and none timed out; the ${stopCount} stopped executions' jobs ` +
          `left the queue before any worker started and no handler ran for them.`;
        return outcome.row;
      },
    );
  });
});
