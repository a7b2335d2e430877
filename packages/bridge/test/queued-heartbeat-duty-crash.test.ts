// The queued-heartbeat duty after a crash: the holder is a bridge in a child process killed with
// SIGKILL, so it never releases the lock; the other bridge must take the duty once the lock's TTL runs
// out (docs/step-functions.md#queued-heartbeats) and keep the waiting tasks alive.
import type {} from '@sfn-bullmq/test-support/vitest-global-setup';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ActivityTaskOutcome } from '@sfn-bullmq/emulator';
import { SfnActivityClient, type ActivityJobData } from '@sfn-bullmq/protocol';
import { sleep } from '@sfn-bullmq/test-support';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { Bridge } from '../src/index.js';
import { CREDENTIALS, Harness, until } from './harness.js';

const redisUrl = inject('redisUrl');
const CHILD = fileURLToPath(new URL('./fixtures/duty-holder-bridge.mjs', import.meta.url));
const INTERVAL_MS = 1_000;
const DUTY_TTL_MS = 1_500;
const HEARTBEAT_SECONDS = 5;
const TASKS = 20;
let harness: Harness;

afterEach(async () => {
  await harness.closeAll();
});

function nameOf(arn: string): string {
  return arn.slice(arn.lastIndexOf(':') + 1);
}

async function metric(bridge: Bridge, name: string): Promise<number> {
  const values = (await bridge.registry.getSingleMetric(name)?.get())?.values ?? [];
  return values.reduce((sum, v) => sum + v.value, 0);
}

/** The holder bridge in its own process; resolves once it has started. Killed in teardown. */
async function startChildBridge(arn: string): Promise<{ kill9(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    [CHILD, redisUrl, harness.prefix, harness.emulator.endpoint, arn, `${INTERVAL_MS}`, `${DUTY_TTL_MS}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill9 = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  harness.onClose(kill9);
  await until(
    () => {
      if (child.exitCode !== null) throw new Error(`child bridge exited: ${output}`);
      return output.includes('bridge started');
    },
    20_000,
    'child bridge started',
  );
  return { kill9 };
}

describe('queued heartbeat duty after a crash', () => {
  it('a holder killed with SIGKILL: the other bridge takes the duty within TTL + one interval, no task times out, no token twice within an interval', async () => {
    harness = new Harness();
    await harness.startEmulator();
    const arn = harness.activity('crash');
    const queue = harness.queue(redisUrl, nameOf(arn));
    const redis = new Redis(redisUrl);
    harness.onClose(() => redis.quit());
    const dutyKey = `${harness.prefix}:${nameOf(arn)}:sfn-bullmq:heartbeat-duty`;
    const beats = new Map<string, number[]>();
    harness.emulator.on('taskHeartbeat', ({ taskToken, at }: { taskToken: string; at: number }) => {
      beats.set(taskToken, [...(beats.get(taskToken) ?? []), at]);
    });

    // The child starts first and takes the duty; only then does the in-process bridge join.
    const child = await startChildBridge(arn);
    await until(
      async () => (await redis.get(dutyKey))?.startsWith('bridge-child:') === true,
      15_000,
      'child holds the duty',
    );
    const survivor = harness.bridge(
      redisUrl,
      [{ activityArn: arn, polls: 5, queuedHeartbeatIntervalMs: INTERVAL_MS }],
      { workerName: 'bridge-survivor', queuedHeartbeatDutyTtlMs: DUTY_TTL_MS },
    );
    await survivor.start();

    const outcomes: Promise<ActivityTaskOutcome>[] = Array.from(
      { length: TASKS },
      (_, i) =>
        harness.emulator.scheduleTask(arn, JSON.stringify({ n: i }), { heartbeatSeconds: HEARTBEAT_SECONDS })
          .outcome,
    );
    await until(async () => (await harness.jobCount(queue)) === TASKS, 15_000, `${TASKS} jobs`);
    // The child heartbeats every waiting task before it dies.
    await until(() => beats.size === TASKS, 15_000, 'every task heartbeated by the child');
    expect(await metric(survivor, 'sfn_bullmq_bridge_queued_heartbeats_total')).toBe(0);

    await child.kill9();
    const killedAt = Date.now();
    // The lock is still the dead child's: nothing released it.
    expect(await redis.get(dutyKey)).toMatch(/^bridge-child:/);

    // Deadline: the lock's TTL (from its last renewal, before the kill) plus one tick of the survivor,
    // plus 1 s of slack for a loaded machine.
    await until(
      async () => (await metric(survivor, 'sfn_bullmq_bridge_queued_heartbeat_duty')) === 1,
      DUTY_TTL_MS + INTERVAL_MS + 1_000,
      'survivor takes the duty',
    );
    expect(await redis.get(dutyKey)).toMatch(/^bridge-survivor:/);
    // Keep the tasks waiting past HeartbeatSeconds after the kill: only the survivor keeps them alive.
    await until(
      () => [...beats.values()].every((times) => times.filter((at) => at > killedAt).length >= 2),
      15_000,
      'every task heartbeated twice after the kill',
    );
    await sleep(HEARTBEAT_SECONDS * 1_000);
    expect(harness.stats(arn).timedOut).toBe(0);
    expect(await metric(survivor, 'sfn_bullmq_bridge_queued_heartbeats_total')).toBeGreaterThanOrEqual(
      TASKS * 2,
    );

    // Each token is sent at three quarters of the interval: two senders at once would show gaps far below.
    let shortest = Number.POSITIVE_INFINITY;
    for (const times of beats.values()) {
      for (let i = 1; i < times.length; i += 1) shortest = Math.min(shortest, times[i]! - times[i - 1]!);
    }
    expect(shortest).toBeGreaterThanOrEqual(INTERVAL_MS / 2);

    const client = new SfnActivityClient({
      region: 'us-east-1',
      endpoint: harness.emulator.endpoint,
      credentials: CREDENTIALS,
    });
    const worker = new Worker<ActivityJobData>(
      nameOf(arn),
      async (job) => client.sendTaskSuccess({ taskToken: job.data.taskToken, output: '{}' }),
      { connection: { url: redisUrl, maxRetriesPerRequest: null }, prefix: harness.prefix, concurrency: 20 },
    );
    worker.on('error', () => undefined);
    harness.onClose(async () => {
      await worker.close();
      await client.close();
    });
    expect((await Promise.all(outcomes)).map((o) => o.kind)).toEqual(Array(TASKS).fill('succeeded'));
    expect(harness.stats(arn).timedOut).toBe(0);
  }, 60_000);
});
