// One trace per task across processes: a traced bridge and a traced worker, each exporting its spans to a
// file, and the test joins them by trace id (docs/observability.md#one-trace-per-task).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator, type Emulator } from '@sfn-bullmq/emulator';
import { RedisServer, uniqueName } from '@sfn-bullmq/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import type { RecordedSpan } from '../fixtures/span-recorder.js';
import { ChildProcesses } from '../harness/child-processes.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

describe('tracing', () => {
  const teardown: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const step of teardown.splice(0).reverse()) await step();
  });

  it('joins the poll, enqueue, wait, handler and report of each task into one trace across the bridge and worker processes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sfn-e2e-tracing-'));
    teardown.push(() => rmSync(dir, { recursive: true, force: true }));
    const redis = await RedisServer.start();
    teardown.push(() => redis.close());
    const emulator: Emulator = await startEmulator({ pollTimeoutMs: 500 });
    teardown.push(() => emulator.close());
    const processes = new ChildProcesses(dir);
    teardown.push(() => processes.closeAll());

    const activityArn = emulator.createActivity(uniqueName('traced'));
    const queue = uniqueName('traced');
    const common = { REDIS_URL: redis.url, SFN_ENDPOINT: emulator.endpoint, QUEUE: queue };
    const bridgeSpans = join(dir, 'bridge-spans.jsonl');
    const workerSpans = join(dir, 'worker-spans.jsonl');
    const bridge = processes.spawn('bridge', process.execPath, {
      args: ['--import', 'tsx', fixture('traced-bridge.ts')],
      env: { ...common, ACTIVITY_ARN: activityArn, SPANS_FILE: bridgeSpans },
    });
    const worker = processes.spawn('worker', process.execPath, {
      args: ['--import', 'tsx', fixture('traced-worker.ts')],
      env: { ...common, SPANS_FILE: workerSpans },
    });
    await Promise.all([
      bridge.waitForOutput(/traced bridge ready/, 60_000),
      worker.waitForOutput(/traced worker ready/, 60_000),
    ]);

    const tasks = 3;
    const outcomes = await Promise.all(
      Array.from(
        { length: tasks },
        (_, i) => emulator.scheduleTask(activityArn, JSON.stringify({ i })).outcome,
      ),
    );
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(Array(tasks).fill('succeeded'));
    // Spans are written once each process has closed: every span of a task has ended by then.
    for (const child of [bridge, worker]) {
      child.signal('SIGTERM');
      expect(await child.waitForExit(60_000), processes.tails()).toEqual({ code: 0, signal: null });
    }

    const spans = [bridgeSpans, workerSpans].flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as RecordedSpan),
    );
    const traces = new Map<string, RecordedSpan[]>();
    for (const span of spans) traces.set(span.traceId, [...(traces.get(span.traceId) ?? []), span]);
    expect(traces.size).toBe(tasks);
    for (const trace of traces.values()) {
      const named = (name: string) => {
        const found = trace.filter((span) => span.name === name);
        expect(found, `${name} in ${JSON.stringify(trace.map((s) => s.name))}`).toHaveLength(1);
        return found[0]!;
      };
      const poll = named('GetActivityTask');
      const enqueue = named('sfn-bullmq enqueue');
      const wait = named('sfn-bullmq queue wait');
      const run = named('sfn-bullmq process');
      const handler = named('sfn-bullmq handler');
      const work = named('handler work');
      const report = named('SendTaskSuccess');
      expect([poll.process, enqueue.process]).toEqual(['bridge', 'bridge']);
      expect(new Set([wait, run, handler, work, report].map((span) => span.process))).toEqual(
        new Set(['worker']),
      );
      // poll → enqueue → (wait, run) → (handler → the handler's own span, report)
      expect(poll.parentSpanId).toBeUndefined();
      expect(enqueue.parentSpanId).toBe(poll.spanId);
      expect(wait.parentSpanId).toBe(enqueue.spanId);
      expect(run.parentSpanId).toBe(enqueue.spanId);
      expect(handler.parentSpanId).toBe(run.spanId);
      expect(work.parentSpanId).toBe(handler.spanId);
      expect(report.parentSpanId).toBe(run.spanId);
      expect(run.attributes['sfn_bullmq.outcome']).toBe('succeeded');
    }
  });
});
