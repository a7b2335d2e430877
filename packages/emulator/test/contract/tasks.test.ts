// Contract: GetActivityTask long polls, SendTaskSuccess/Failure/Heartbeat, their errors,
// limits, clocks, and tokens lost to clients that went away.
import {
  DeleteActivityCommand,
  GetActivityTaskCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  type GetActivityTaskCommandOutput,
} from '@aws-sdk/client-sfn';
import { until } from '@sfn-bullmq/test-support';
import { describe, expect, it } from 'vitest';
import { onAws, useTargetPerTest, type ContractTarget } from './target.js';

// These need a task scheduled on demand, which only the emulator offers (on AWS an execution
// would schedule it; executions.test.ts covers that path).
describe.skipIf(onAws)('activity tasks', () => {
  const start = useTargetPerTest();

  async function startedTask(
    t: ContractTarget,
    options: { timeoutSeconds?: number; heartbeatSeconds?: number } = {},
  ): Promise<{ token: string; outcome: Promise<unknown>; arn: string }> {
    const arn = await t.createActivity('task');
    const { outcome } = t.emulator!.scheduleTask(arn, '{"n":1}', options);
    const polled = await t.pollClient.send(
      new GetActivityTaskCommand({ activityArn: arn, workerName: 'w-1' }),
    );
    return { token: polled.taskToken!, outcome, arn };
  }

  it('hands a scheduled task to a poll and closes it with SendTaskSuccess', async () => {
    const t = await start();
    const arn = await t.createActivity('success');
    const { outcome } = t.emulator!.scheduleTask(arn, '{"hello":"world"}');
    const polled = await t.pollClient.send(
      new GetActivityTaskCommand({ activityArn: arn, workerName: 'w-1' }),
    );
    expect(polled.input).toBe('{"hello":"world"}');
    expect(polled.taskToken!.length).toBeLessThanOrEqual(2048);
    expect(polled.taskToken).toMatch(/^[A-Za-z0-9_-]+$/);
    await t.client.send(new SendTaskSuccessCommand({ taskToken: polled.taskToken, output: '{"ok":true}' }));
    await expect(outcome).resolves.toEqual({ kind: 'succeeded', output: '{"ok":true}' });
    const stats = t.emulator!.stats().activities[arn]!;
    expect(stats).toMatchObject({ scheduled: 1, started: 1, succeeded: 1, waiting: 0, openPolls: 0 });
    expect(stats.waitMs.count).toBe(1);
  });

  it('answers a long poll with no task as {} after pollTimeoutMs', async () => {
    const t = await start({ emulator: { pollTimeoutMs: 300 } });
    const arn = await t.createActivity('empty');
    const startedAt = Date.now();
    const polled = await t.pollClient.send(new GetActivityTaskCommand({ activityArn: arn }));
    expect(polled.taskToken).toBeUndefined();
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(250);
  });

  it('answers a waiting poll as soon as a task is scheduled', async () => {
    const t = await start({ emulator: { pollTimeoutMs: 10_000 } });
    const arn = await t.createActivity('wake');
    const poll = t.pollClient.send(new GetActivityTaskCommand({ activityArn: arn }));
    await until(() => t.emulator!.stats().activities[arn]!.openPolls === 1);
    t.emulator!.scheduleTask(arn, '{"x":2}');
    await expect(poll).resolves.toMatchObject({ input: '{"x":2}' });
  });

  it('serves the longest-waiting poll first, first scheduled first served', async () => {
    const t = await start({ emulator: { pollTimeoutMs: 10_000 } });
    const arn = await t.createActivity('fifo');
    const polls: Promise<GetActivityTaskCommandOutput>[] = [];
    for (let index = 0; index < 3; index += 1) {
      polls.push(
        t.pollClient.send(new GetActivityTaskCommand({ activityArn: arn, workerName: `w${index}` })),
      );
      await until(() => t.emulator!.stats().activities[arn]!.openPolls === index + 1);
    }
    for (let index = 0; index < 3; index += 1) t.emulator!.scheduleTask(arn, JSON.stringify({ index }));
    const results = await Promise.all(polls);
    expect(results.map((result) => result.input)).toEqual(['{"index":0}', '{"index":1}', '{"index":2}']);
  });

  it('delivers each token exactly once across many concurrent polls', async () => {
    const t = await start({ emulator: { pollTimeoutMs: 300 }, maxPolls: 50 });
    const arn = await t.createActivity('once');
    const total = 200;
    const outcomes = Array.from({ length: total }, (_, index) =>
      t.emulator!.scheduleTask(arn, JSON.stringify({ index })),
    );
    const seenTokens = new Set<string>();
    const seenInputs: string[] = [];
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        for (;;) {
          const polled = await t.pollClient.send(new GetActivityTaskCommand({ activityArn: arn }));
          if (polled.taskToken === undefined) return;
          expect(seenTokens.has(polled.taskToken)).toBe(false);
          seenTokens.add(polled.taskToken);
          seenInputs.push(polled.input!);
          await t.client.send(
            new SendTaskSuccessCommand({ taskToken: polled.taskToken, output: polled.input }),
          );
        }
      }),
    );
    expect(seenTokens.size).toBe(total);
    expect(new Set(seenInputs).size).toBe(total);
    await Promise.all(outcomes.map((o) => o.outcome));
    expect(t.emulator!.stats().activities[arn]).toMatchObject({
      started: total,
      succeeded: total,
      waiting: 0,
    });
  });

  it('closes a task with SendTaskFailure, keeping error and cause', async () => {
    const t = await start();
    const { token, outcome } = await startedTask(t);
    await t.client.send(new SendTaskFailureCommand({ taskToken: token, error: 'Boom', cause: 'because' }));
    await expect(outcome).resolves.toEqual({ kind: 'failed', error: 'Boom', cause: 'because' });
  });

  it('answers TaskTimedOut for any Send* on a closed task, InvalidToken for a token that does not parse', async () => {
    const t = await start();
    const { token } = await startedTask(t);
    await t.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }));
    const timedOut = {
      name: 'TaskTimedOut',
      message: "Task Timed Out: 'Provided task does not exist anymore'",
    };
    await expect(
      t.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
    ).rejects.toMatchObject(timedOut);
    await expect(t.client.send(new SendTaskFailureCommand({ taskToken: token }))).rejects.toMatchObject(
      timedOut,
    );
    await expect(t.client.send(new SendTaskHeartbeatCommand({ taskToken: token }))).rejects.toMatchObject(
      timedOut,
    );
    // A forged token differs in a middle character, which carries six bits of the id or MAC. (Changing the
    // last two characters is not enough: the final base64 character's low two bits are padding, so 'xx'
    // decodes to the same bytes about once in a thousand runs, measured, and the token is the closed task's.)
    const forged = token.slice(0, 20) + (token[20] === 'A' ? 'B' : 'A') + token.slice(21);
    for (const bad of ['garbage', forged, 'A'.repeat(2048)]) {
      await expect(t.client.send(new SendTaskHeartbeatCommand({ taskToken: bad }))).rejects.toMatchObject({
        name: 'InvalidToken',
        message: "Invalid Token: 'Invalid token'",
      });
    }
  });

  it('enforces the limits on token, output, error, cause and workerName', async () => {
    const t = await start();
    const { token, arn } = await startedTask(t);
    await expect(
      t.client.send(new SendTaskHeartbeatCommand({ taskToken: 'A'.repeat(2049) })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("'taskToken'") as unknown,
    });
    await expect(
      t.client.send(
        new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify('é'.repeat(131_072)) }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidOutput' });
    await expect(
      t.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{oops' })),
    ).rejects.toMatchObject({ name: 'InvalidOutput' });
    await expect(
      t.client.send(new SendTaskFailureCommand({ taskToken: token, error: 'e'.repeat(257) })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("'error'") as unknown,
    });
    await expect(
      t.client.send(new SendTaskFailureCommand({ taskToken: token, cause: 'c'.repeat(32_769) })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("'cause'") as unknown,
    });
    await expect(
      t.pollClient.send(new GetActivityTaskCommand({ activityArn: arn, workerName: 'w'.repeat(81) })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("'workerName'") as unknown,
    });
    // The largest accepted values still go through, and the task is still open after the refusals.
    await t.client.send(
      new SendTaskFailureCommand({ taskToken: token, error: 'e'.repeat(256), cause: 'c'.repeat(32_768) }),
    );
  });

  it('accepts an output of exactly 262,144 bytes', async () => {
    const t = await start();
    const { token, outcome } = await startedTask(t);
    const output = JSON.stringify('x'.repeat(262_142));
    expect(Buffer.byteLength(output)).toBe(262_144);
    await t.client.send(new SendTaskSuccessCommand({ taskToken: token, output }));
    await expect(outcome).resolves.toMatchObject({ kind: 'succeeded' });
  });

  it('times a task out after HeartbeatSeconds without a heartbeat, and heartbeats keep it alive', async () => {
    const t = await start();
    const { token, outcome, arn } = await startedTask(t, { heartbeatSeconds: 1 });
    const endAt = Date.now() + 1600;
    while (Date.now() < endAt) {
      await t.client.send(new SendTaskHeartbeatCommand({ taskToken: token }));
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(t.emulator!.stats().activities[arn]!.timedOut).toBe(0);
    await expect(outcome).resolves.toEqual({ kind: 'timedOut', heartbeat: true });
    await expect(t.client.send(new SendTaskHeartbeatCommand({ taskToken: token }))).rejects.toMatchObject({
      name: 'TaskTimedOut',
    });
    expect(t.emulator!.stats().activities[arn]!.heartbeats).toBeGreaterThanOrEqual(4);
  });

  it('times a task out after TimeoutSeconds even with heartbeats (they reset only the heartbeat clock)', async () => {
    const t = await start();
    const { token, outcome } = await startedTask(t, { timeoutSeconds: 1, heartbeatSeconds: 10 });
    const beat = setInterval(() => {
      t.client.send(new SendTaskHeartbeatCommand({ taskToken: token })).catch(() => undefined);
    }, 200);
    try {
      await expect(outcome).resolves.toEqual({ kind: 'timedOut', heartbeat: false });
    } finally {
      clearInterval(beat);
    }
  });

  it('counts TimeoutSeconds from the start, not from scheduling', async () => {
    const t = await start();
    const arn = await t.createActivity('from-start');
    const { outcome } = t.emulator!.scheduleTask(arn, '{}', { timeoutSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1300));
    const polled = await t.pollClient.send(new GetActivityTaskCommand({ activityArn: arn }));
    await t.client.send(new SendTaskSuccessCommand({ taskToken: polled.taskToken, output: '{}' }));
    await expect(outcome).resolves.toMatchObject({ kind: 'succeeded' });
  });

  it('loses the token of a task handed to a poll whose client aborted, as AWS does', async () => {
    const t = await start({ emulator: { pollTimeoutMs: 5000 } });
    const arn = await t.createActivity('abort');
    const abort = new AbortController();
    const abandoned = t.pollClient.send(new GetActivityTaskCommand({ activityArn: arn }), {
      abortSignal: abort.signal,
    });
    await until(() => t.emulator!.stats().activities[arn]!.openPolls === 1);
    abort.abort();
    await expect(abandoned).rejects.toMatchObject({ name: 'AbortError' });
    // The abandoned poll still counts as open and still receives the next task.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(t.emulator!.stats().activities[arn]!.openPolls).toBe(1);
    t.emulator!.scheduleTask(arn, '{"lost":true}');
    const stats = t.emulator!.stats().activities[arn]!;
    expect(stats).toMatchObject({ started: 1, openPolls: 0, waiting: 0 });
    expect(stats.lostTokens).toEqual({ total: 1, droppedByFault: 0, clientGone: 1 });
    // The next task goes to a live poll.
    t.emulator!.scheduleTask(arn, '{"second":true}');
    const polled = await t.pollClient.send(new GetActivityTaskCommand({ activityArn: arn }));
    expect(polled.input).toBe('{"second":true}');
  });

  it('refuses the poll past maxPollsPerActivity with ActivityWorkerLimitExceeded', async () => {
    const t = await start({ emulator: { pollTimeoutMs: 1500, maxPollsPerActivity: 5 } });
    const arn = await t.createActivity('limit');
    const open = Array.from({ length: 5 }, () =>
      t.pollClient.send(new GetActivityTaskCommand({ activityArn: arn })),
    );
    await until(() => t.emulator!.stats().activities[arn]!.openPolls === 5);
    await expect(t.pollClient.send(new GetActivityTaskCommand({ activityArn: arn }))).rejects.toMatchObject({
      name: 'ActivityWorkerLimitExceeded',
      message: 'The maximum number of workers concurrently polling for activity tasks has been reached.',
    });
    await Promise.all(open);
  });

  it('holds 1,000 open polls on one activity and refuses the 1,001st', { timeout: 90_000 }, async () => {
    // A long hold, so that no poll times out while the 1,000 are still being opened on a busy machine;
    // close() then answers the rest at once.
    const t = await start({ emulator: { pollTimeoutMs: 60_000 }, maxPolls: 1001 });
    const arn = await t.createActivity('thousand');
    const open = Array.from({ length: 1000 }, () =>
      t.pollClient.send(new GetActivityTaskCommand({ activityArn: arn })),
    );
    await until(() => t.emulator!.stats().activities[arn]!.openPolls === 1000, 45_000, '1000 open polls');
    await expect(t.pollClient.send(new GetActivityTaskCommand({ activityArn: arn }))).rejects.toMatchObject({
      name: 'ActivityWorkerLimitExceeded',
    });
    t.emulator!.scheduleTask(arn, '{}');
    await until(() => t.emulator!.stats().activities[arn]!.started === 1, 10_000, 'the task to start');
    await t.emulator!.close();
    const results = await Promise.all(open);
    expect(results.filter((result) => result.taskToken !== undefined)).toHaveLength(1);
  });

  it('answers open polls {} when their activity is deleted', async () => {
    const t = await start({ emulator: { pollTimeoutMs: 20_000 } });
    const arn = await t.createActivity('deleted');
    const poll = t.pollClient.send(new GetActivityTaskCommand({ activityArn: arn }));
    await until(() => t.emulator!.stats().activities[arn]!.openPolls === 1);
    await t.client.send(new DeleteActivityCommand({ activityArn: arn }));
    expect((await poll).taskToken).toBeUndefined();
    expect(t.emulator!.hasActivity(arn)).toBe(false);
  });

  it('answers open polls {} on close()', async () => {
    const t = await start({ emulator: { pollTimeoutMs: 20_000 } });
    const arn = await t.createActivity('closing');
    const poll = t.pollClient.send(new GetActivityTaskCommand({ activityArn: arn }));
    await until(() => t.emulator!.stats().activities[arn]!.openPolls === 1);
    await t.emulator!.close();
    expect((await poll).taskToken).toBeUndefined();
  });
});
