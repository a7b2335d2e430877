// Scenario 7: Step Functions misbehaving: dropped token deliveries that stall the polls behind
// them (the seed problem), 5xx answers and throttling, all at once. Everything still succeeds;
// the dropped tokens are the only lost ones, and the Retry on States.Timeout recovers each.
import { describe, expect, it } from 'vitest';
import { runScenario } from '../harness/scenario-test.js';
import { bySize } from '../harness/size.js';

// A drop rate high enough that a run surely drops a token (0.85^40 ≈ 0.15 % of reduced runs drop none; at
// 0.08 it was 0.92^40 ≈ 3.5 %, failing the check that the faults happened), at the wall time of 40 executions.
const faults = { dropRate: 0.15, stallFollowers: 5, errorRate: 0.05 };

describe('scenario 7: Step Functions faults', () => {
  it('recovers every dropped token by Retry and rides out 5xx and throttling', async () => {
    await runScenario(
      {
        scenario: '7',
        title: 'SFN faults: drops + stalls, 5xx, throttling',
        // Token buckets far below AWS's, so throttling happens at this suite's rates (the CLI's
        // --throttle only has AWS's defaults).
        emulatorOptions: {
          faults,
          // 20 idle polls ending every 1.5 s already ask more than 12 a second, so polls are throttled at any
          // size; Send* refills faster than polls can start tasks, so reports are throttled in bursts only
          // and never pile up past HeartbeatSeconds.
          throttle: {
            GetActivityTask: { bucket: 15, refillPerSecond: 12 },
            SendTaskSuccess: { bucket: 10, refillPerSecond: 15 },
            SendTaskHeartbeat: { bucket: 10, refillPerSecond: 15 },
          },
        },
        // Five tries, so a task whose token is dropped again and again still gets through.
        clocks: { timeoutSeconds: 8, heartbeatSeconds: 4, retryAttempts: 5 },
      },
      async (s) => {
        const polls = 20;
        await s.startBridge({ polls });
        await s.startWorker();
        await s.startWorker();

        const count = bySize(40, 400);
        await s.startExecutions(count, bySize(50, 10));
        const outcome = await s.finish({ timeoutMs: 120_000 });
        const { totals } = outcome.emulator;

        expect(outcome.executions.filter((e) => e.status !== 'SUCCEEDED')).toEqual([]);
        // The faults really happened.
        expect(outcome.row.lostTokens.droppedByFault).toBeGreaterThanOrEqual(1);
        expect(totals.injectedErrors).toBeGreaterThanOrEqual(1);
        expect(totals.throttled).toBeGreaterThanOrEqual(1);
        // Dropped tokens are the only lost ones, and each is one timed-out, retried task.
        expect(outcome.row.lostTokens.clientGone).toBe(0);
        expect(outcome.row.timedOutTasks).toBe(outcome.row.lostTokens.droppedByFault);
        expect(outcome.runsPerJob.size).toBe(count);
        expect([...outcome.runsPerJob.values()].every((n) => n === 1)).toBe(true);
        outcome.row.notes =
          `dropRate ${faults.dropRate} with ${faults.stallFollowers} stalled followers, errorRate ${faults.errorRate}, ` +
          `token buckets far below AWS's: ` +
          `${totals.injectedErrors} 5xx answers and ${totals.throttled} throttled calls; every dropped ` +
          `token timed out after HeartbeatSeconds and was retried.`;
        return outcome.row;
      },
    );
  });
});
