import { until } from '@sfn-bullmq/test-support';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { asJob, fakeJob, recordingSender, runner, settle } from '../../test/runner-fakes.js';
import { ActivityFailure } from '../activity-failure.js';
import { WorkerMetrics } from './worker-metrics.js';

function sdkError(name: string, attempts = 1): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: 400, attempts } });
}

/** The value of one series, found by its labels (a subset is enough). */
async function valueOf(
  metrics: WorkerMetrics,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const metric = metrics.registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  const found = values.filter((v) =>
    Object.entries(labels).every(([key, value]) => String(v.labels[key]) === value),
  );
  return found.length === 0 ? undefined : found.reduce((sum, v) => sum + v.value, 0);
}

const TASK = { activity: 'resize', queue: 'resize' };

describe('WorkerMetrics', () => {
  it('counts a succeeded task: started, finished, queue wait from the token’s receipt, handler time, one SendTaskSuccess', async () => {
    const metrics = new WorkerMetrics(new Registry());
    const sender = recordingSender();
    const run = runner(() => 'ok', sender, { observers: [metrics.observer] });
    // The token waited 2.5 s between the bridge's poll and the handler.
    await run.process(asJob(fakeJob({ receivedAt: Date.now() - 2_500 })), undefined, undefined);

    expect(await valueOf(metrics, 'sfn_bullmq_worker_tasks_started_total', TASK)).toBe(1);
    expect(
      await valueOf(metrics, 'sfn_bullmq_worker_tasks_finished_total', { ...TASK, outcome: 'succeeded' }),
    ).toBe(1);
    expect(await valueOf(metrics, 'sfn_bullmq_worker_queue_wait_seconds', { ...TASK, le: '2.5' })).toBe(0);
    expect(await valueOf(metrics, 'sfn_bullmq_worker_queue_wait_seconds', { ...TASK, le: '5' })).toBe(1);
    expect(
      await valueOf(metrics, 'sfn_bullmq_worker_handler_duration_seconds', { ...TASK, le: '+Inf' }),
    ).toBe(1);
    expect(
      await valueOf(metrics, 'sfn_bullmq_worker_send_attempts_total', {
        ...TASK,
        call: 'SendTaskSuccess',
        result: 'ok',
      }),
    ).toBe(1);
    expect(await valueOf(metrics, 'sfn_bullmq_worker_running_handlers', TASK)).toBe(0);
  });

  it('shows running handlers while they run', async () => {
    const metrics = new WorkerMetrics(new Registry());
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (started = resolve));
    const run = runner(
      async () => {
        started();
        await released;
      },
      recordingSender(),
      { observers: [metrics.observer] },
    );
    const done = run.process(asJob(fakeJob()), undefined, undefined);
    await running;
    expect(await valueOf(metrics, 'sfn_bullmq_worker_running_handlers', TASK)).toBe(1);
    release();
    await done;
    expect(await valueOf(metrics, 'sfn_bullmq_worker_running_handlers', TASK)).toBe(0);
  });

  it('labels failures by error name, and counts names past maxErrorNames as other', async () => {
    const metrics = new WorkerMetrics(new Registry(), { maxErrorNames: 1 });
    for (const type of ['CardDeclined', 'Order-1234', 'CardDeclined']) {
      const run = runner(
        () => {
          throw ActivityFailure.nonRetryable('no', type);
        },
        recordingSender(),
        { observers: [metrics.observer] },
      );
      await settle(run.process(asJob(fakeJob()), undefined, undefined));
    }
    const failed = { ...TASK, outcome: 'failed' };
    expect(
      await valueOf(metrics, 'sfn_bullmq_worker_tasks_finished_total', { ...failed, error: 'CardDeclined' }),
    ).toBe(2);
    expect(
      await valueOf(metrics, 'sfn_bullmq_worker_tasks_finished_total', { ...failed, error: 'other' }),
    ).toBe(1);
    expect(
      await valueOf(metrics, 'sfn_bullmq_worker_tasks_finished_total', { error: 'Order-1234' }),
    ).toBeUndefined();
  });

  it('counts a re-sent stored outcome, and no handler start', async () => {
    const metrics = new WorkerMetrics(new Registry());
    const run = runner(() => 'never', recordingSender(), { observers: [metrics.observer] });
    const job = fakeJob({ sfnOutcome: { kind: 'success', output: '"stored"' } });
    await run.process(asJob(job), undefined, undefined);
    expect(await valueOf(metrics, 'sfn_bullmq_worker_outcomes_resent_total', TASK)).toBe(1);
    expect(await valueOf(metrics, 'sfn_bullmq_worker_tasks_started_total', TASK)).toBeUndefined();
    expect(
      await valueOf(metrics, 'sfn_bullmq_worker_tasks_finished_total', { ...TASK, outcome: 'succeeded' }),
    ).toBe(1);
  });

  it('tells a task gone before its report, and a report that may have been sent before', async () => {
    const metrics = new WorkerMetrics(new Registry());
    const gone = recordingSender({ sendTaskSuccess: () => Promise.reject(sdkError('TaskTimedOut')) });
    await settle(
      runner(() => 'late', gone, { observers: [metrics.observer] }).process(
        asJob(fakeJob()),
        undefined,
        undefined,
      ),
    );
    const maybe = recordingSender({ sendTaskFailure: () => Promise.reject(sdkError('TaskTimedOut', 2)) });
    await settle(
      runner(
        () => {
          throw new Error('boom');
        },
        maybe,
        { observers: [metrics.observer] },
      ).process(asJob(fakeJob()), undefined, undefined),
    );
    expect(
      await valueOf(metrics, 'sfn_bullmq_worker_tasks_finished_total', { ...TASK, outcome: 'task_gone' }),
    ).toBe(1);
    expect(
      await valueOf(metrics, 'sfn_bullmq_worker_tasks_finished_total', {
        ...TASK,
        outcome: 'maybe_reported',
        error: 'Error',
      }),
    ).toBe(1);
    expect(
      await valueOf(metrics, 'sfn_bullmq_worker_send_attempts_total', {
        call: 'SendTaskSuccess',
        result: 'task_gone',
      }),
    ).toBe(1);
  });

  it('counts Send* attempts and retries by error type when a report is throttled', async () => {
    const metrics = new WorkerMetrics(new Registry());
    let calls = 0;
    const sender = recordingSender({
      sendTaskSuccess: () =>
        ++calls === 1 ? Promise.reject(sdkError('ThrottlingException')) : Promise.resolve(),
    });
    await runner(() => 'ok', sender, { observers: [metrics.observer] }).process(
      asJob(fakeJob()),
      undefined,
      undefined,
    );
    const success = { ...TASK, call: 'SendTaskSuccess' };
    expect(
      await valueOf(metrics, 'sfn_bullmq_worker_send_attempts_total', { ...success, result: 'throttling' }),
    ).toBe(1);
    expect(
      await valueOf(metrics, 'sfn_bullmq_worker_send_attempts_total', { ...success, result: 'ok' }),
    ).toBe(1);
    expect(
      await valueOf(metrics, 'sfn_bullmq_worker_send_retries_total', { ...success, type: 'throttling' }),
    ).toBe(1);
  });

  it('counts heartbeats sent and failed', async () => {
    const metrics = new WorkerMetrics(new Registry());
    let beats = 0;
    const sender = recordingSender({
      sendTaskHeartbeat: () =>
        ++beats === 1 ? Promise.reject(sdkError('ThrottlingException')) : Promise.resolve(),
    });
    const run = runner(
      async (_input, context) => {
        context.heartbeat();
        await until(() => beats >= 1);
        await new Promise((resolve) => setTimeout(resolve, 30));
        context.heartbeat();
        await until(() => beats >= 2);
      },
      sender,
      { observers: [metrics.observer], minHeartbeatGapMs: 0, heartbeatIntervalMs: 60_000 },
    );
    await run.process(asJob(fakeJob()), undefined, undefined);
    expect(
      await valueOf(metrics, 'sfn_bullmq_worker_heartbeats_total', { ...TASK, result: 'throttling' }),
    ).toBe(1);
    expect(await valueOf(metrics, 'sfn_bullmq_worker_heartbeats_total', { ...TASK, result: 'sent' })).toBe(1);
  });

  it('shows each worker’s concurrency per queue', async () => {
    const metrics = new WorkerMetrics(new Registry());
    metrics.observer.workerStarted?.({ queueName: 'resize', concurrency: 8 });
    metrics.observer.workerStarted?.({ queueName: 'resize', concurrency: 4 });
    expect(await valueOf(metrics, 'sfn_bullmq_worker_concurrency', { queue: 'resize' })).toBe(12);
  });

  it('refuses a maxErrorNames that is not a whole number, naming it', () => {
    expect(() => new WorkerMetrics(new Registry(), { maxErrorNames: -1 })).toThrow(
      expect.objectContaining({ name: 'InvalidWorkerOptionError', option: 'maxErrorNames', value: -1 }),
    );
  });
});
