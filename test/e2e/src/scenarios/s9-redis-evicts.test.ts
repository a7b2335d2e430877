// Scenario 9: Redis that may evict keys (maxmemory 10mb, allkeys-lru), the setting that once lost 128 of
// 150 tasks silently. Now bridge and worker refuse it before taking a token; once the operator sets
// noeviction they start and every execution succeeds, nothing lost.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../harness/scenario-test.js';
import { bySize } from '../harness/size.js';
import { sleep } from '@sfn-bullmq/test-support';

const run = promisify(execFile);

describe('scenario 9: Redis evicts keys', () => {
  it('refuses an allkeys-lru Redis before any token is taken, and loses nothing once it is fixed', async () => {
    await runScenario(
      {
        scenario: '9',
        title: 'Redis evicts keys (allkeys-lru): refused',
        redisArgs: ['--maxmemory', '10mb', '--maxmemory-policy', 'allkeys-lru'],
        // Process start-up on a busy machine must not count against the tasks' clocks.
        clocks: { timeoutSeconds: 30, heartbeatSeconds: 10 },
      },
      async (s) => {
        const polls = 10;
        const count = bySize(40, 150);
        await s.startExecutions(count);
        const bridge = s.spawnBridge({ polls });
        const worker = s.spawnWorker();
        const [bridgeExit, workerExit] = await Promise.all([
          bridge.waitForExit(30_000),
          worker.waitForExit(30_000),
        ]);
        expect(bridgeExit.code).toBe(1);
        expect(bridge.text).toMatch(
          /sfn-bullmq bridge: RedisEvictionPolicyError: .*'allkeys-lru'.*CONFIG SET maxmemory-policy noeviction/,
        );
        expect(workerExit.code).not.toBe(0);
        expect(worker.text).toMatch(/RedisEvictionPolicyError/);
        await sleep(500);
        const whileRefused = await s.activityStats();
        // No poll was opened, so no token exists that Redis could lose: the tasks wait in Step Functions.
        expect(whileRefused.started).toBe(0);

        await run('redis-cli', [
          '-p',
          String(s.redis.port),
          'CONFIG',
          'SET',
          'maxmemory-policy',
          'noeviction',
        ]);
        // The worker first, so no stored token waits for a worker process to boot.
        await s.startWorker();
        await s.startBridge({ polls });
        const outcome = await s.finish({ timeoutMs: 90_000 });

        expect(outcome.executions.filter((e) => e.status !== 'SUCCEEDED')).toEqual([]);
        expect(outcome.row.lostTokens.total).toBe(0);
        expect(outcome.row.timedOutTasks).toBe(0);
        expect(outcome.runsPerJob.size).toBe(count);
        expect([...outcome.runsPerJob.values()].every((n) => n === 1)).toBe(true);
        outcome.row.notes =
          `bridge (exit ${bridgeExit.code}) and worker (exit ${workerExit.code}) refused allkeys-lru with ` +
          `RedisEvictionPolicyError; tasks started while refused: ${whileRefused.started}; ` +
          'after CONFIG SET maxmemory-policy noeviction every execution ran once.';
        return outcome.row;
      },
    );
  });
});
