// Scenarios 4 and 5: a bridge stopped with polls in flight. SIGTERM drains (its open polls come
// back and their tokens are stored: nothing lost); kill -9 loses the tokens handed to its dead polls,
// which the state machine's Retry on States.Timeout recovers after HeartbeatSeconds.
import { describe, expect, it } from 'vitest';
import { runScenario } from '../harness/scenario-test.js';
import { bySize } from '../harness/size.js';
import { sleep } from '@sfn-bullmq/test-support';

describe('scenario 4: bridge SIGTERM with polls in flight', () => {
  it('drains the stopping bridge without losing a token while a new bridge takes over', async () => {
    await runScenario({ scenario: '4', title: 'bridge SIGTERM, polls in flight' }, async (s) => {
      const polls = 20;
      const first = await s.startBridge({ polls });
      await s.startWorker();
      await s.startWorker();
      await s.waitForOpenPolls(polls);

      // Executions keep coming before, during and after the hand-over.
      const count = bySize(60, 600);
      const flow = s.startExecutions(count, bySize(40, 10));
      await sleep(800);
      expect((await s.activityStats()).openPolls).toBeGreaterThan(0);
      first.signal('SIGTERM');
      const second = s.startBridge({ polls });
      const exit = await first.waitForExit(30_000);
      await second;
      await flow;
      const outcome = await s.finish();

      expect(exit).toEqual({ code: 0, signal: null });
      expect(outcome.executions.filter((e) => e.status !== 'SUCCEEDED')).toEqual([]);
      expect(outcome.row.lostTokens.total).toBe(0);
      expect(outcome.row.timedOutTasks).toBe(0);
      expect(outcome.runsPerJob.size).toBe(count);
      expect([...outcome.runsPerJob.values()].every((n) => n === 1)).toBe(true);
      // Both bridges delivered tasks: the first until it stopped, the second after.
      const byBridge = new Set(s.runRecords().flatMap((r) => (r.event === 'run' ? [r.bridge] : [])));
      expect(byBridge).toEqual(new Set(['bridge-1', 'bridge-2']));
      return outcome.row;
    });
  });
});

describe('scenario 5: bridge kill -9', () => {
  it('loses only the tokens in the killed bridge’s polls and sockets, and Retry recovers every one', async () => {
    // The emulator holds a poll up to 2 s: for that long after the kill, the dead bridge's polls still
    // count as open (as on AWS, for up to 60 s) and a task handed to one of them is lost.
    await runScenario(
      {
        scenario: '5',
        title: 'bridge kill -9',
        pollTimeoutMs: 2000,
        clocks: { timeoutSeconds: 8, heartbeatSeconds: 4, retryAttempts: 3 },
      },
      async (s) => {
        const polls = 20;
        const victim = await s.startBridge({ polls });
        await s.startWorker();
        await s.startWorker();
        await s.waitForOpenPolls(polls);
        const before = new Set(await s.startExecutions(bySize(10, 100)));

        await victim.kill9();
        // Tasks scheduled inside the window go to the dead polls first (longest-waiting poll first).
        const during = bySize(15, 150);
        await s.startExecutions(during);
        await s.startBridge({ polls });
        const after = bySize(15, 150);
        await s.startExecutions(after, 20);
        const outcome = await s.finish({ timeoutMs: 90_000 });
        const { clientGone } = outcome.row.lostTokens;
        const timedOut = outcome.executions.filter((e) => e.activitiesTimedOut > 0);
        // Tasks started before the kill and never stored: delivered to its polls, in its sockets or memory.
        const inFlightAtKill = timedOut.filter((e) => before.has(e.executionArn)).length;
        // Every lost token shows as one timeout; those the emulator did not see go to a dead poll were lost
        // in flight: in the dead process's sockets or memory.
        outcome.row.lostTokens = {
          ...outcome.row.lostTokens,
          total: outcome.row.timedOutTasks,
          inFlight: outcome.row.timedOutTasks - clientGone,
        };
        outcome.row.notes =
          `kill -9 of a bridge holding ${polls} polls: ${outcome.row.timedOutTasks} tokens lost, ` +
          `${inFlightAtKill} of tasks scheduled before the kill (never stored: in its sockets or memory) ` +
          `and ${outcome.row.timedOutTasks - inFlightAtKill} of tasks scheduled after it, handed to its dead ` +
          `polls (a dead poll counts as open until its deadline, as on AWS); the emulator saw ${clientGone} ` +
          `of them go to a poll it knew was gone (clientGone). ` +
          `At most one token per poll the process held is lost this way. Each of the ` +
          `${outcome.row.timedOutTasks} timed out after HeartbeatSeconds and the Retry on States.Timeout ` +
          `ran it again: every execution succeeded.`;

        expect(outcome.executions.filter((e) => e.status !== 'SUCCEEDED')).toEqual([]);
        const lost = outcome.row.lostTokens;
        expect(lost.droppedByFault).toBe(0);
        expect(lost.clientGone).toBeLessThanOrEqual(polls);
        // The kill lost tokens, and each lost token is one timed-out task. The emulator counts only the ones
        // it handed to a poll it already knew was gone; a token written to a socket whose peer had died but
        // whose close it had not yet read counts as delivered, like one the bridge read but had not stored.
        expect(outcome.row.timedOutTasks).toBeGreaterThanOrEqual(1);
        expect(outcome.row.timedOutTasks).toBeGreaterThanOrEqual(lost.clientGone);
        // The window is bounded: at most one token per poll the dead process held, plus those just delivered.
        expect(outcome.row.timedOutTasks).toBeLessThanOrEqual(before.size + polls);
        expect(timedOut.every((e) => e.status === 'SUCCEEDED' && e.activitiesStarted > 1)).toBe(true);
        expect([...outcome.runsPerJob.values()].every((n) => n === 1)).toBe(true);
        return outcome.row;
      },
    );
  });
});
