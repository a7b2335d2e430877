// Scenario 14: on a Redis Cluster, kill -9 the master that holds the busy queue's slot mid-run; its
// replica is promoted. Tokens caught in the failover are held and stored after it (or reported
// SfnBullmq.EnqueueFailed past the deadline); workers carry on on the new master without a restart.
import { ENQUEUE_FAILED_ERROR } from '@sfn-bullmq/protocol';
import { until } from '@sfn-bullmq/test-support';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../harness/scenario-test.js';
import { bySize } from '../harness/size.js';

/** A counter's value in Prometheus text, summed over its label sets. */
function counter(metrics: string, name: string): number {
  return metrics
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

describe('scenario 14: a Redis Cluster master fails over mid-run', () => {
  it('loses no execution when the master of the queue slot is killed and its replica promoted', async () => {
    await runScenario(
      { scenario: '14', title: 'Redis Cluster: kill -9 of the queue’s master mid-run', cluster: true },
      async (s) => {
        const bridge = await s.startBridge({ polls: 10, enqueueDeadlineMs: 30_000 });
        const bridgeUrl = (await bridge.waitForOutput(/HTTP on (http:\/\/\S+)/))[1]!;
        await s.waitForOpenPolls(10);
        // One after the other: under load, processes started together can miss their start deadline.
        const workers = [await s.startWorker(), await s.startWorker()];

        const total = bySize(60, 300);
        // Spaced so that executions keep arriving all through the failover (a few seconds).
        const flow = s.startExecutions(total, 100);
        await until(() => s.runRecords().filter((r) => r.event === 'run').length >= total / 4, {
          what: 'a quarter of the tasks run',
          timeoutMs: 30_000,
        });
        const master = await s.cluster.masterOf(s.queueName);
        const killedAt = Date.now();
        await s.cluster.kill(master);
        // What the bridge holds meanwhile: tokens it could not store yet (its gauge, sampled).
        let maxHeld = 0;
        const sampler = setInterval(() => {
          fetch(`${bridgeUrl}/metrics`)
            .then((r) => r.text())
            .then((text) => (maxHeld = Math.max(maxHeld, counter(text, 'sfn_bullmq_bridge_held_tokens'))))
            .catch(() => undefined);
        }, 100);
        const promoted = await s.cluster
          .waitForFailover(s.queueName, master.port)
          .finally(() => clearInterval(sampler));
        const failoverMs = Date.now() - killedAt;
        const runsBefore = s.runRecords().filter((r) => r.event === 'run' && r.at <= killedAt).length;
        await flow;
        const outcome = await s.finish({
          timeoutMs: 120_000,
          expectedFailure: (e) => e.error === ENQUEUE_FAILED_ERROR,
        });

        const metrics = await (await fetch(`${bridgeUrl}/metrics`)).text();
        const enqueueRetries = counter(metrics, 'sfn_bullmq_bridge_enqueue_retries_total');
        const reportedFailed = counter(metrics, 'sfn_bullmq_bridge_enqueue_failures_reported_total');
        // Every execution succeeded, or its token was reported EnqueueFailed and counted as such.
        expect(
          outcome.executions.filter((e) => e.status !== 'SUCCEEDED' && e.error !== ENQUEUE_FAILED_ERROR),
        ).toEqual([]);
        expect(outcome.row.failedExpected).toBe(reportedFailed);
        expect(outcome.row.lostTokens.total).toBe(0);
        // Workers took jobs from the promoted master, in the same processes (none restarted).
        const runsAfter = s.runRecords().filter((r) => r.event === 'run' && r.at > killedAt + failoverMs);
        expect(new Set(runsAfter.map((r) => r.worker))).toEqual(new Set(['worker-1', 'worker-2']));
        for (const worker of workers) expect(worker.running).toBe(true);
        outcome.row.notes =
          `master :${master.port} killed after ${runsBefore} runs; replica :${promoted.port} ` +
          `serving the slot ${failoverMs} ms later (cluster-node-timeout 1000 ms); up to ${maxHeld} tokens held meanwhile; bridge add retries ${enqueueRetries}, ` +
          `EnqueueFailed reports ${reportedFailed}; ${outcome.row.timedOutTasks} tasks timed out and were retried ` +
          `(writes the old master acknowledged but had not yet replicated are lost with it: Redis replicates asynchronously).`;
        return outcome.row;
      },
    );
  });
});
