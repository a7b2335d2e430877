// Queued heartbeats on the real thing: the emulator over HTTP, bridges, a private Redis, BullMQ workers
// that report with our client. Short clocks so each case finishes in seconds.
import type {} from '@sfn-bullmq/test-support/vitest-global-setup';
import type { ActivityTaskOutcome } from '@sfn-bullmq/emulator';
import { SfnActivityClient, type ActivityJobData } from '@sfn-bullmq/protocol';
import { capturingLogger, sleep } from '@sfn-bullmq/test-support';
import { Worker } from 'bullmq';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { Bridge } from '../src/index.js';
import { CREDENTIALS, Harness, until } from './harness.js';

const redisUrl = inject('redisUrl');
let harness: Harness;

afterEach(async () => {
  await harness.closeAll();
});

function nameOf(arn: string): string {
  return arn.slice(arn.lastIndexOf(':') + 1);
}

/** A BullMQ worker whose handler reports success with our client; records the jobs it ran. */
function startWorker(queueName: string): { ran: string[] } {
  const client = new SfnActivityClient({
    region: 'us-east-1',
    endpoint: harness.emulator.endpoint,
    credentials: CREDENTIALS,
  });
  const ran: string[] = [];
  const worker = new Worker<ActivityJobData>(
    queueName,
    async (job) => {
      ran.push(job.id ?? '');
      await client.sendTaskSuccess({ taskToken: job.data.taskToken, output: '{}' });
    },
    { connection: { url: redisUrl, maxRetriesPerRequest: null }, prefix: harness.prefix, concurrency: 20 },
  );
  worker.on('error', () => undefined);
  harness.onClose(async () => {
    await worker.close();
    await client.close();
  });
  return { ran };
}

async function metric(bridge: Bridge, name: string, labels: Record<string, string> = {}): Promise<number> {
  const values = (await bridge.registry.getSingleMetric(name)?.get())?.values ?? [];
  return values
    .filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))
    .reduce((sum, v) => sum + v.value, 0);
}

/** A control-plane call on the emulator (it checks no signature). */
async function sfnCall(operation: string, body: object): Promise<Record<string, unknown>> {
  const response = await fetch(harness.emulator.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `AWSStepFunctions.${operation}`,
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${operation}: HTTP ${response.status} ${text}`);
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

function schedule(arn: string, count: number, heartbeatSeconds: number): Promise<ActivityTaskOutcome>[] {
  return Array.from(
    { length: count },
    (_, i) => harness.emulator.scheduleTask(arn, JSON.stringify({ n: i }), { heartbeatSeconds }).outcome,
  );
}

describe('queued heartbeats', () => {
  // HeartbeatSeconds 2 and a queue wait of 6 s: without heartbeats from the bridge every task times out.
  for (const on of [false, true]) {
    it(`${on ? 'with' : 'without'} queued heartbeats, tasks waiting 3× HeartbeatSeconds ${on ? 'all succeed' : 'all time out'}`, async () => {
      harness = new Harness();
      await harness.startEmulator();
      const arn = harness.activity('hb');
      const queue = harness.queue(redisUrl, nameOf(arn));
      const bridge = harness.bridge(redisUrl, [
        { activityArn: arn, polls: 20, queuedHeartbeatIntervalMs: on ? 1_000 : 0 },
      ]);
      await bridge.start();
      const outcomes = schedule(arn, 60, 2);
      await until(async () => (await harness.jobCount(queue)) === 60, 15_000, '60 jobs');
      if (on) {
        await sleep(6_000);
      } else {
        await until(() => harness.stats(arn).timedOut === 60, 20_000, 'every task timed out');
      }
      const { ran } = startWorker(nameOf(arn));
      const settled = await Promise.all(outcomes);
      const kinds = settled.map((o) => o.kind);
      if (on) {
        expect(kinds.filter((k) => k !== 'succeeded')).toEqual([]);
        expect(harness.stats(arn).timedOut).toBe(0);
        expect(ran).toHaveLength(60);
        expect(await metric(bridge, 'sfn_bullmq_bridge_queued_heartbeats_total')).toBeGreaterThanOrEqual(
          60 * 6,
        );
      } else {
        expect(kinds.every((k) => k === 'timedOut')).toBe(true);
        expect(harness.stats(arn).heartbeats).toBe(0);
      }
    }, 60_000);
  }

  it('removes the jobs of stopped executions before any worker starts; no handler runs for them, the rest succeed', async () => {
    harness = new Harness();
    await harness.startEmulator();
    const arn = harness.activity('stop');
    const queue = harness.queue(redisUrl, nameOf(arn));
    const bridge = harness.bridge(redisUrl, [
      { activityArn: arn, polls: 20, queuedHeartbeatIntervalMs: 1_000 },
    ]);
    await bridge.start();
    const machine = await sfnCall('CreateStateMachine', {
      name: `stop-${Date.now()}`,
      roleArn: 'arn:aws:iam::123456789012:role/test',
      definition: JSON.stringify({
        StartAt: 'Work',
        States: { Work: { Type: 'Task', Resource: arn, HeartbeatSeconds: 30, End: true } },
      }),
    });
    const executions: string[] = [];
    for (let i = 0; i < 100; i += 1) {
      const out = await sfnCall('StartExecution', {
        stateMachineArn: machine['stateMachineArn'],
        name: `e${i}`,
      });
      executions.push(out['executionArn'] as string);
    }
    await until(
      async () => (await queue.getJobCounts('waiting'))['waiting'] === 100,
      15_000,
      '100 waiting jobs',
    );
    const stopped = executions.slice(0, 30);
    for (const executionArn of stopped) await sfnCall('StopExecution', { executionArn });

    await until(
      async () => (await queue.getJobCounts('waiting'))['waiting'] === 70,
      15_000,
      '70 waiting jobs',
    );
    expect(await metric(bridge, 'sfn_bullmq_bridge_queued_tasks_swept_total')).toBe(30);
    const left = new Set((await queue.getJobs(['waiting'], 0, 100)).map((job) => job.id));
    const { ran } = startWorker(nameOf(arn));
    await until(() => harness.stats(arn).succeeded === 70, 20_000, '70 tasks succeeded');
    expect(new Set(ran)).toEqual(left);
    expect(ran).toHaveLength(70);
    for (const executionArn of stopped) {
      const described = await sfnCall('DescribeExecution', { executionArn });
      expect(described['status']).toBe('ABORTED');
    }
  }, 60_000);

  it('two bridges on one queue: one heartbeats it, no token twice within an interval; the other takes over', async () => {
    harness = new Harness();
    await harness.startEmulator();
    const arn = harness.activity('duty');
    const queue = harness.queue(redisUrl, nameOf(arn));
    const beats = new Map<string, number[]>();
    harness.emulator.on('taskHeartbeat', ({ taskToken, at }: { taskToken: string; at: number }) => {
      beats.set(taskToken, [...(beats.get(taskToken) ?? []), at]);
    });
    const pool = { activityArn: arn, polls: 10, queuedHeartbeatIntervalMs: 1_000 };
    const first = harness.bridge(redisUrl, [pool], {
      workerName: 'bridge-a',
      queuedHeartbeatDutyTtlMs: 2_000,
    });
    const second = harness.bridge(redisUrl, [pool], {
      workerName: 'bridge-b',
      queuedHeartbeatDutyTtlMs: 2_000,
    });
    await Promise.all([first.start(), second.start()]);
    const outcomes = schedule(arn, 40, 30);
    await until(async () => (await harness.jobCount(queue)) === 40, 15_000, '40 jobs');
    await sleep(3_000);
    const duty = [
      await metric(first, 'sfn_bullmq_bridge_queued_heartbeat_duty'),
      await metric(second, 'sfn_bullmq_bridge_queued_heartbeat_duty'),
    ];
    expect([...duty].sort()).toEqual([0, 1]);
    const holder = duty[0] === 1 ? first : second;
    const other = holder === first ? second : first;
    expect(await metric(other, 'sfn_bullmq_bridge_queued_heartbeats_total')).toBe(0);

    await holder.close();
    const closedAt = Date.now();
    await sleep(2_500);
    expect(await metric(other, 'sfn_bullmq_bridge_queued_heartbeat_duty')).toBe(1);
    expect(await metric(other, 'sfn_bullmq_bridge_queued_heartbeats_total')).toBeGreaterThanOrEqual(40);
    // Each token is sent at three quarters of the interval: two bridges at once would show gaps far below.
    let shortest = Number.POSITIVE_INFINITY;
    for (const times of beats.values()) {
      for (let i = 1; i < times.length; i += 1) shortest = Math.min(shortest, times[i]! - times[i - 1]!);
    }
    expect(beats.size).toBe(40);
    expect(shortest).toBeGreaterThanOrEqual(500);
    for (const times of beats.values()) expect(times.some((at) => at > closedAt)).toBe(true);
    startWorker(nameOf(arn));
    expect((await Promise.all(outcomes)).every((o) => o.kind === 'succeeded')).toBe(true);
  }, 60_000);

  it('throttled heartbeats: keeps to its budget, reports the tasks at risk, loses nothing', async () => {
    harness = new Harness();
    await harness.startEmulator({ throttle: { SendTaskHeartbeat: { bucket: 5, refillPerSecond: 5 } } });
    const arn = harness.activity('throttle');
    const queue = harness.queue(redisUrl, nameOf(arn));
    const { logger, lines } = capturingLogger('info');
    const bridge = harness.bridge(
      redisUrl,
      [{ activityArn: arn, polls: 10, queuedHeartbeatIntervalMs: 1_000 }],
      {
        queuedHeartbeatsPerSecond: 20,
        logger,
      },
    );
    await bridge.start();
    const outcomes = schedule(arn, 40, 60);
    await until(async () => (await harness.jobCount(queue)) === 40, 15_000, '40 jobs');
    const startedAt = Date.now();
    await until(
      async () => (await metric(bridge, 'sfn_bullmq_bridge_queued_heartbeat_tasks_at_risk')) > 0,
      15_000,
      'tasks at risk reported',
    );
    await sleep(3_000);
    const seconds = (Date.now() - startedAt) / 1000;
    const sent = await metric(bridge, 'sfn_bullmq_bridge_queued_heartbeats_total');
    const throttled = await metric(bridge, 'sfn_bullmq_bridge_queued_heartbeat_errors_total', {
      error: 'ThrottlingException',
    });
    expect(throttled).toBeGreaterThan(0);
    // Every request, answered or throttled, came out of the budget: a burst of 20, then at most 20/s.
    expect(sent + throttled).toBeLessThanOrEqual(20 + 20 * (seconds + 1));
    expect(await metric(bridge, 'sfn_bullmq_bridge_queued_heartbeat_rate_per_second')).toBeLessThan(20);
    expect(lines.some((line) => line.msg.startsWith('queued heartbeats cannot keep up'))).toBe(true);
    expect(await harness.jobCount(queue)).toBe(40);
    expect(harness.stats(arn)).toMatchObject({ failed: 0, timedOut: 0 });
    startWorker(nameOf(arn));
    expect((await Promise.all(outcomes)).every((o) => o.kind === 'succeeded')).toBe(true);
  }, 60_000);
});
