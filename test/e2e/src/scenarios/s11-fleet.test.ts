// Scenario 11: a fleet of bridges shares one ARN's poll budget through Redis. The emulator refuses every
// poll past the budget (maxPollsPerActivity = fleetPolls), so any overshoot is an ActivityWorkerLimitExceeded
// it counts. Three bridges settle at an even split; a kill -9 frees its share once its lease and its
// polls' hold have run out; two bridges that join (four live) grow only into the room the others release.
import { until } from '@sfn-bullmq/test-support';
import { describe, expect, it } from 'vitest';
import type { Child } from '../harness/child-processes.js';
import { runScenario } from '../harness/scenario-test.js';
import type { Scenario } from '../harness/scenario.js';
import { bySize } from '../harness/size.js';

const BUDGET = 300;
/** Each bridge could take 200 alone: only the fleet keeps them at their share. */
const POLLS = 200;
const POLL_TIMEOUT_MS = 1_500;
/** Short, so the scenario runs in seconds; the poll hold is the emulator's (AWS: 60 s). */
const FLEET = { leaseTtlMs: 2_000, pollHoldMs: POLL_TIMEOUT_MS };

interface FleetView {
  sharePolls: number;
  bridges: number;
  fleetOpenPolls: number;
}

/** A bridge's place in the fleet, from its /readyz body. */
async function fleetOf(bridge: Child): Promise<FleetView> {
  const url = /HTTP on (http:\/\/[\d.:]+)/.exec(bridge.text)?.[1];
  if (url === undefined) throw new Error(`${bridge.name}: no HTTP address in its log`);
  const body = (await (await fetch(`${url}/readyz`)).json()) as {
    status: { activities: { fleet?: FleetView }[] };
  };
  const fleet = body.status.activities[0]?.fleet;
  if (fleet === undefined) throw new Error(`${bridge.name}: no fleet in /readyz`);
  return fleet;
}

/** Waits until every bridge holds `share` and the emulator sees the whole budget open; returns the ms it took. */
async function settle(s: Scenario, bridges: readonly Child[], share: number): Promise<number> {
  const started = Date.now();
  await until(
    async () => {
      const views = await Promise.all(bridges.map((b) => fleetOf(b)));
      return { shares: views.map((v) => v.sharePolls), open: (await s.activityStats()).openPolls };
    },
    {
      what: `${bridges.length} bridges at ${share} polls each, ${BUDGET} open`,
      accept: ({ shares, open }) => shares.every((n) => n === share) && open === share * bridges.length,
      timeoutMs: 45_000,
      intervalMs: 100,
      retryOnError: true,
    },
  );
  return Date.now() - started;
}

describe('scenario 11: a fleet of bridges shares the poll limit', () => {
  it('holds an even split without overshoot through a kill -9 and a join, and loses only the killed bridge’s tokens', async () => {
    await runScenario(
      {
        scenario: '11',
        title: 'fleet: 3 bridges share 300 polls, kill -9, join',
        pollTimeoutMs: POLL_TIMEOUT_MS,
        emulatorOptions: { maxPollsPerActivity: BUDGET },
        clocks: { timeoutSeconds: 8, heartbeatSeconds: 4, retryAttempts: 3 },
      },
      async (s) => {
        // A bridge process takes seconds to start on a loaded machine: they start side by side.
        const start = async (): Promise<Child> => {
          const child = s.spawnBridge({ polls: POLLS, fleetPolls: BUDGET, fleet: FLEET });
          await child.waitForOutput(/sfn-bullmq bridge: HTTP on/, 90_000);
          return child;
        };
        const [bridges] = await Promise.all([
          Promise.all([start(), start(), start()]),
          s.spawnWorker().waitForOutput(/ready/, 90_000),
          s.spawnWorker().waitForOutput(/ready/, 90_000),
        ]);
        // The emulator's own count of open polls, sampled all along (its peak and refusals are read at the end).
        let maxOpen = 0;
        const sampler = setInterval(() => {
          s.activityStats().then(
            (stats) => (maxOpen = Math.max(maxOpen, stats.openPolls)),
            () => undefined,
          );
        }, 100);
        try {
          await settle(s, bridges, 100);
          await s.startExecutions(bySize(20, 200), 20);

          // kill -9: its lease runs out, then its polls' hold; the two others grow into its share.
          const victim = bridges.shift()!;
          const during = s.startExecutions(bySize(20, 200), 50);
          await victim.kill9();
          const afterKillMs = await settle(s, bridges, 150);
          await during;

          // Two bridges join a full fleet at once (four live): each opens nothing until the others' polls
          // come back above their new share.
          const joining = s.startExecutions(bySize(20, 200), 50);
          bridges.push(...(await Promise.all([start(), start()])));
          const afterJoinMs = await settle(s, bridges, 75);
          await joining;
          expect((await fleetOf(bridges[0])).bridges).toBe(4);

          const outcome = await s.finish({ timeoutMs: 90_000 });
          const stats = outcome.emulator.activities[s.activityArn]!;
          outcome.row.notes =
            `budget ${BUDGET} (maxPollsPerActivity ${BUDGET}), ${POLLS} polls per bridge, lease ${FLEET.leaseTtlMs} ms, ` +
            `poll hold ${POLL_TIMEOUT_MS} ms: 3 bridges settled at 100 each; after the kill -9 the other two reached ` +
            `150 each in ${(afterKillMs / 1000).toFixed(1)} s; two bridges joined at once and all four settled at 75 in ` +
            `${(afterJoinMs / 1000).toFixed(1)} s; at most ${stats.openPollsPeak} polls open at once, ` +
            `${stats.workerLimitRefused} refused with ActivityWorkerLimitExceeded.`;

          expect(stats.workerLimitRefused).toBe(0);
          expect(stats.openPollsPeak).toBeLessThanOrEqual(BUDGET);
          expect(maxOpen).toBeLessThanOrEqual(BUDGET);
          // Nothing lost but the tokens the killed bridge held (scenario 5): each timed out and was retried.
          expect(outcome.executions.filter((e) => e.status !== 'SUCCEEDED')).toEqual([]);
          expect(outcome.row.lostTokens.droppedByFault).toBe(0);
          expect(outcome.row.timedOutTasks).toBeLessThanOrEqual(100 + bySize(40, 400));
          expect(
            outcome.executions.filter((e) => e.activitiesTimedOut > 0).every((e) => e.activitiesStarted > 1),
          ).toBe(true);
          expect([...outcome.runsPerJob.values()].every((n) => n === 1)).toBe(true);
          return outcome.row;
        } finally {
          clearInterval(sampler);
        }
      },
    );
  });
});
