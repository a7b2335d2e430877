// Scenarios 2 and 3: a worker process SIGKILLed mid-handler (BullMQ's stalled-job recovery
// re-runs the job elsewhere) and after its outcome is stored but before it is sent (re-sent, not re-run).
import { describe, expect, it } from 'vitest';
import type { Scenario, ScenarioOutcome, WorkerSettings } from '../harness/scenario.js';
import { runScenario } from '../harness/scenario-test.js';
import { bySize } from '../harness/size.js';
import { until } from '@sfn-bullmq/test-support';

// Recovery of a dead worker's job takes about LOCK_MS + 2 × STALLED_MS (~2.5 s here) with no heartbeat
// meanwhile, plus the start of the other workers, so HeartbeatSeconds stays well above it: the recovered
// run must find its task still open.
const clocks = { timeoutSeconds: 30, heartbeatSeconds: 10, retryAttempts: 3 };
// A low high-water mark keeps the backlog in Step Functions, where a task's clocks do not run, rather than
// in Redis while the victim works alone.
const bridge = { polls: 10, maxWaiting: 20, resumeBelow: 10 };

/**
 * One bridge; the victim works alone until it SIGKILLs itself, then two workers with `others` settings take
 * over. Checks that every execution succeeded with no token lost and no task timed out.
 */
async function killVictimThenRecover(
  s: Scenario,
  victimSettings: WorkerSettings,
  others: WorkerSettings,
): Promise<ScenarioOutcome> {
  await s.startBridge(bridge);
  const victim = await s.startWorker(victimSettings);
  await s.startExecutions(bySize(30, 300));
  await until(() => !victim.running, {
    what: 'the victim to kill itself',
    timeoutMs: 30_000,
    intervalMs: 100,
    retryOnError: true,
  });
  expect(victim.exit?.signal).toBe('SIGKILL');
  await Promise.all([s.startWorker(others), s.startWorker(others)]);
  const outcome = await s.finish();

  expect(outcome.executions.filter((e) => e.status !== 'SUCCEEDED')).toEqual([]);
  expect(outcome.row.lostTokens.total).toBe(0);
  expect(outcome.row.timedOutTasks).toBe(0);
  return outcome;
}

describe('scenario 2: worker kill -9 mid-handler', () => {
  it('re-runs the dead worker’s jobs on another worker: all succeed, a handler runs at most twice', async () => {
    await runScenario({ scenario: '2', title: 'worker kill -9 mid-handler', clocks }, async (s) => {
      // The victim works alone until it dies, so it surely reaches its 5th run with 10 jobs active.
      const outcome = await killVictimThenRecover(
        s,
        { HANDLER_MS: '300', CRASH_MID_HANDLER_AT: '5' },
        { HANDLER_MS: '300' },
      );
      const runs = [...outcome.runsPerJob.values()];
      expect(outcome.runsPerJob.size).toBe(s.executionCount);
      expect(Math.max(...runs)).toBeLessThanOrEqual(2);
      // At least the job the victim died in was recovered and run again.
      expect(runs.filter((n) => n === 2).length).toBeGreaterThanOrEqual(1);
      // An outcome, once stored, is never computed again: one stored outcome per task.
      expect([...outcome.storedPerJob.values()].every((n) => n === 1)).toBe(true);
      expect(outcome.storedPerJob.size).toBe(s.executionCount);
      return outcome.row;
    });
  });
});

describe('scenario 3: worker kill -9 between storing and sending the outcome', () => {
  it('re-sends the stored outcome from the next attempt; every handler ran once', async () => {
    await runScenario(
      { scenario: '3', title: 'worker kill -9 after store, before send', clocks },
      async (s) => {
        // Concurrency 1: when it dies, the stored-but-unsent task is the only one it holds.
        // The victim works alone until it dies at its third stored outcome.
        const outcome = await killVictimThenRecover(
          s,
          { HANDLER_MS: '50', CONCURRENCY: '1', CRASH_AFTER_STORED_AT: '3' },
          { HANDLER_MS: '50' },
        );
        expect(outcome.runsPerJob.size).toBe(s.executionCount);
        expect([...outcome.runsPerJob.values()].every((n) => n === 1)).toBe(true);
        // The victim's third stored outcome was never sent by it; another worker re-sent it.
        const victimStored = s.runRecords().filter((r) => r.event === 'stored' && r.worker === 'worker-1');
        expect(victimStored).toHaveLength(3);
        expect(outcome.row.resentOutcomes).toBeGreaterThanOrEqual(1);
        return outcome.row;
      },
    );
  });
});
