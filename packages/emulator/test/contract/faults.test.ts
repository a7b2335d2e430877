// Contract (emulator only): injected faults — dropped tokens and the stall behind them,
// errors, latency — throttling, introspection, and bad requests that must not stop the server.
import {
  CreateActivityCommand,
  DescribeActivityCommand,
  GetActivityTaskCommand,
  SFNClient,
  type GetActivityTaskCommandOutput,
} from '@aws-sdk/client-sfn';
import { until } from '@sfn-bullmq/test-support';
import { describe, expect, it } from 'vitest';
import { InvalidFaultError, type EmulatorStats } from '../../src/index.js';
import { onAws, useTargetPerTest, type ContractTarget } from './target.js';

describe.skipIf(onAws)('faults, throttling and bad requests', () => {
  const start = useTargetPerTest();

  function openPolls(
    t: ContractTarget,
    arn: string,
    count: number,
  ): Promise<GetActivityTaskCommandOutput | Error>[] {
    return Array.from({ length: count }, () =>
      t.pollClient
        .send(new GetActivityTaskCommand({ activityArn: arn }))
        .catch((error: unknown) => error as Error),
    );
  }

  it('with few polls, a dropped token freezes dispatch until the dropped poll’s deadline', async () => {
    const t = await start({ emulator: { pollTimeoutMs: 1500, faults: { stallFollowers: 10 } } });
    const arn = await t.createActivity('stall');
    const emulator = t.emulator!;
    const polls = openPolls(t, arn, 3);
    await until(() => emulator.stats().activities[arn]!.openPolls === 3);
    emulator.setFaults({ dropRate: 1 });
    emulator.scheduleTask(arn, '{"dropped":true}');
    emulator.setFaults({ dropRate: 0 });
    emulator.scheduleTask(arn, '{"blocked":true}');
    // A poll arriving during the stall is frozen too: nothing reaches anyone.
    const late = openPolls(t, arn, 1);
    await new Promise((resolve) => setTimeout(resolve, 600));
    let stats = emulator.stats().activities[arn]!;
    expect(stats).toMatchObject({ started: 1, waiting: 1, openPolls: 4 });
    expect(stats.lostTokens).toEqual({ total: 1, droppedByFault: 1, clientGone: 0 });
    const results = await Promise.all([...polls, ...late]);
    // The dropped poll's connection is cut with no response; the frozen ones are answered empty.
    expect(results.filter((result) => result instanceof Error)).toHaveLength(1);
    expect(
      results.filter((result) => !(result instanceof Error) && result.taskToken === undefined),
    ).toHaveLength(3);
    // After the deadline the blocked task flows again.
    const next = await t.pollClient.send(new GetActivityTaskCommand({ activityArn: arn }));
    expect(next.input).toBe('{"blocked":true}');
    stats = emulator.stats().activities[arn]!;
    expect(stats).toMatchObject({ started: 2, waiting: 0 });
  });

  it('with many more polls than stallFollowers, tasks keep flowing past a drop', async () => {
    const t = await start({ emulator: { pollTimeoutMs: 2000, faults: { stallFollowers: 5 } }, maxPolls: 40 });
    const arn = await t.createActivity('flow');
    const emulator = t.emulator!;
    const polls = openPolls(t, arn, 30);
    await until(() => emulator.stats().activities[arn]!.openPolls === 30);
    emulator.setFaults({ dropRate: 1 });
    emulator.scheduleTask(arn, '{"dropped":true}');
    emulator.setFaults({ dropRate: 0 });
    for (let index = 0; index < 10; index += 1) emulator.scheduleTask(arn, JSON.stringify({ index }));
    // Delivered at once to the polls behind the frozen ones.
    const stats = emulator.stats().activities[arn]!;
    expect(stats).toMatchObject({ started: 11, waiting: 0 });
    expect(stats.lostTokens.droppedByFault).toBe(1);
    const results = await Promise.all(polls);
    const delivered = results.filter(
      (result) => !(result instanceof Error) && result.taskToken !== undefined,
    );
    expect(delivered).toHaveLength(10);
  });

  it('drops about dropRate of deliveries and keeps count of every task', async () => {
    const t = await start({
      emulator: { pollTimeoutMs: 300, faults: { dropRate: 0.5, stallFollowers: 0 } },
      maxPolls: 20,
    });
    const arn = await t.createActivity('rate');
    const emulator = t.emulator!;
    for (let index = 0; index < 40; index += 1) emulator.scheduleTask(arn, '{}');
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (emulator.stats().activities[arn]!.waiting > 0) {
          await t.pollClient.send(new GetActivityTaskCommand({ activityArn: arn })).catch(() => undefined);
        }
      }),
    );
    const stats = emulator.stats().activities[arn]!;
    expect(stats.started).toBe(40);
    expect(stats.lostTokens.droppedByFault).toBeGreaterThan(5);
    expect(stats.lostTokens.droppedByFault).toBeLessThan(35);
  });

  it('injects 500/503 errors that the SDK retries, without changing state', async () => {
    const t = await start();
    const arn = await t.createActivity('errors');
    const emulator = t.emulator!;
    emulator.setFaults({ errorRate: 1 });
    const failure = (await t.client
      .send(new CreateActivityCommand({ name: 'never-created' }))
      .catch((error: unknown) => error)) as {
      name: string;
      $metadata: { httpStatusCode: number; attempts: number };
    };
    expect(['InternalFailure', 'ServiceUnavailable']).toContain(failure.name);
    expect([500, 503]).toContain(failure.$metadata.httpStatusCode);
    expect(failure.$metadata.attempts).toBe(3);
    emulator.setFaults({ errorRate: 0 });
    await expect(
      t.client.send(new DescribeActivityCommand({ activityArn: emulator.activityArn('never-created') })),
    ).rejects.toMatchObject({ name: 'ActivityDoesNotExist' });
    emulator.setFaults({ errorRate: 0.5 });
    const patient = new SFNClient({
      endpoint: emulator.endpoint,
      region: emulator.region,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      maxAttempts: 12,
    });
    let retried = 0;
    try {
      for (let index = 0; index < 3; index += 1) {
        const result = await patient.send(new DescribeActivityCommand({ activityArn: arn }));
        retried += result.$metadata.attempts! - 1;
      }
    } finally {
      patient.destroy();
    }
    // Every failed attempt was an injected error, and nothing else was.
    expect(emulator.stats().totals.injectedErrors).toBe(3 + retried);
  });

  it('adds latencyMs to replies', async () => {
    const t = await start({ emulator: { faults: { latencyMs: 200 } } });
    const arn = await t.createActivity('latency');
    const startedAt = Date.now();
    await t.client.send(new DescribeActivityCommand({ activityArn: arn }));
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(190);
  });

  it('answers ThrottlingException "Rate exceeded" past the bucket, and the SDK retries it', async () => {
    const t = await start({
      // One token a second: the retrying client's first attempt, right after the refusal, is refused too.
      emulator: { throttle: { DescribeActivity: { bucket: 2, refillPerSecond: 1 } } },
      maxAttempts: 1,
    });
    const arn = t.emulator!.createActivity('throttled');
    await t.client.send(new DescribeActivityCommand({ activityArn: arn }));
    await t.client.send(new DescribeActivityCommand({ activityArn: arn }));
    await expect(t.client.send(new DescribeActivityCommand({ activityArn: arn }))).rejects.toMatchObject({
      name: 'ThrottlingException',
      message: 'Rate exceeded',
      $metadata: { httpStatusCode: 400 },
    });
    const retrying = new SFNClient({
      endpoint: t.emulator!.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      maxAttempts: 8,
    });
    let attempts: number;
    try {
      const result = await retrying.send(new DescribeActivityCommand({ activityArn: arn }));
      attempts = result.$metadata.attempts!;
    } finally {
      retrying.destroy();
    }
    // It got through by retrying, and every refused attempt (plus the one above) was a throttle.
    expect(attempts).toBeGreaterThanOrEqual(2);
    expect(t.emulator!.stats().totals.throttled).toBe(attempts);
  });

  it('serves normally with AWS’s default buckets (throttle: true)', async () => {
    const t = await start({ emulator: { throttle: true } });
    const arn = await t.createActivity('defaults');
    await t.client.send(new DescribeActivityCommand({ activityArn: arn }));
    expect(t.emulator!.stats().totals.throttled).toBe(0);
  });

  it('validates faults, naming the field, and shows them over HTTP', async () => {
    const t = await start();
    const emulator = t.emulator!;
    expect(() => emulator.setFaults({ dropRate: 2 })).toThrow(InvalidFaultError);
    expect(() => emulator.setFaults({ dropRate: 2 })).toThrow(/dropRate/);
    expect(() => emulator.setFaults({ stallFollowers: -1 })).toThrow(TypeError);
    expect(emulator.faults()).toEqual({ dropRate: 0, stallFollowers: 10, latencyMs: 0, errorRate: 0 });
    const posted = await fetch(`${emulator.endpoint}/_emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ dropRate: 0.25 }),
    });
    expect(posted.status).toBe(200);
    expect(await posted.json()).toMatchObject({ dropRate: 0.25, stallFollowers: 10 });
    const bad = await fetch(`${emulator.endpoint}/_emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ errorRate: 'lots' }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('errorRate');
    const shown = await (await fetch(`${emulator.endpoint}/_emulator/faults`)).json();
    expect(shown).toMatchObject({ dropRate: 0.25 });
  });

  it('serves stats as JSON at /_emulator/stats', async () => {
    const t = await start();
    const arn = await t.createActivity('stats');
    t.emulator!.scheduleTask(arn, '{}');
    const response = await fetch(`${t.emulator!.endpoint}/_emulator/stats`);
    const stats = (await response.json()) as EmulatorStats;
    expect(stats.activities[arn]).toMatchObject({ activityArn: arn, scheduled: 1, waiting: 1, openPolls: 0 });
    expect(stats.totals.waiting).toBeGreaterThanOrEqual(1);
  });

  it('answers malformed JSON, unknown targets and oversize bodies as AWS would, and keeps serving', async () => {
    const t = await start();
    const endpoint = t.emulator!.endpoint;
    const headers = (target: string): Record<string, string> => ({
      'Content-Type': 'application/x-amz-json-1.0',
      'X-Amz-Target': target,
    });
    const malformed = await fetch(endpoint, {
      method: 'POST',
      headers: headers('AWSStepFunctions.ListActivities'),
      body: '{"maxResults": ',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toBe('application/x-amz-json-1.0');
    expect(((await malformed.json()) as { __type: string }).__type).toMatch(/#SerializationException$/);
    const unknown = await fetch(endpoint, {
      method: 'POST',
      headers: headers('AWSStepFunctions.Frobnicate'),
      body: '{}',
    });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { __type: string }).__type).toMatch(/#UnknownOperationException$/);
    const missing = await fetch(endpoint, {
      method: 'POST',
      headers: headers('AWSStepFunctions.DescribeActivity'),
      body: '{}',
    });
    expect(await missing.json()).toMatchObject({
      __type: 'com.amazon.coral.validate#ValidationException',
      message: expect.stringContaining("'activityArn'") as unknown,
    });
    const oversize = await fetch(endpoint, {
      method: 'POST',
      headers: headers('AWSStepFunctions.ListActivities'),
      body: JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(oversize.status).toBe(413);
    expect(await oversize.text()).toBe('HTTP content length exceeded 1049600 bytes.');
    // Without a Content-Length the body is counted while it streams and refused past the limit.
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let index = 0; index < 40; index += 1) controller.enqueue(new Uint8Array(64 * 1024).fill(32));
        controller.close();
      },
    });
    const streamed = await fetch(endpoint, {
      method: 'POST',
      headers: headers('AWSStepFunctions.ListActivities'),
      body: chunks,
      duplex: 'half',
    });
    expect(streamed.status).toBe(413);
    // Still serving.
    const arn = await t.createActivity('after-bad');
    const described = await t.client.send(new DescribeActivityCommand({ activityArn: arn }));
    expect(described.activityArn).toBe(arn);
  });
});
