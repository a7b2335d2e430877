// `sfn-bullmq bridge --config FILE` as a child process against the emulator and a
// private Redis: tasks become jobs, the HTTP surface answers, SIGTERM drains and exits 0.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '@sfn-bullmq/emulator';
import { findFreePort, uniqueName } from '@sfn-bullmq/test-support';
import { describe, expect, inject, it } from 'vitest';
import { runCli, type CliRun } from './cli-process.js';
import { testQueue, until, useCleanups } from './harness.js';

const onCleanup = useCleanups();

/** The emulator with the activity resize-image, its polls held `pollTimeoutMs`. */
async function emulatorHolding(pollTimeoutMs: number): Promise<Emulator> {
  const emulator = await startEmulator({ pollTimeoutMs, activities: ['resize-image'] });
  onCleanup(() => emulator.close());
  return emulator;
}

/** Writes a config file in a folder of its own, removed after the test; returns its path. */
async function writeConfig(fileName: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sfn-bullmq-bridge-'));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, fileName);
  await writeFile(path, text);
  return path;
}

/** `sfn-bullmq bridge --config FILE` with credentials the emulator takes; resolves once it names its URL. */
async function startBridge(configPath: string, env: Record<string, string> = {}) {
  const cli: CliRun = runCli(['bridge', '--config', configPath], {
    AWS_ACCESS_KEY_ID: 'x',
    AWS_SECRET_ACCESS_KEY: 'x',
    PORT: '',
    ...env,
  });
  onCleanup(() => cli.kill());
  const [, url] = (await cli.waitFor(/"url":"(http:\/\/[^"]+)"/)) as unknown as [string, string];
  return { cli, url };
}

describe('sfn-bullmq bridge', () => {
  it('turns tasks into jobs, serves health, metrics and the board, and drains on SIGTERM', async () => {
    const emulator = await emulatorHolding(1000);
    const prefix = `{${uniqueName('t')}}`;
    const resizeQueue = uniqueName('resize');
    const chargeName = uniqueName('charge');
    const configPath = await writeConfig(
      'bridge.yaml',
      [
        `workerName: bridge-under-test`,
        `redis: { url: '${inject('redisUrl')}', prefix: '${prefix}' }`,
        `stepFunctions: { region: us-east-1, endpoint: '${emulator.endpoint}' }`,
        `http: { port: 0 }`,
        `activities:`,
        `  - arn: ${emulator.activityArn('resize-image')}`,
        `    queue: ${resizeQueue}`,
        `    polls: 5`,
        `  - name: ${chargeName}`,
        `    create: true`,
        `    polls: 5`,
      ].join('\n'),
    );

    const { cli, url } = await startBridge(configPath, { LOG_LEVEL: 'info' });
    await until(async () => (await fetch(`${url}/readyz`)).status === 200);
    // Ready means both pools run; their polls reach the emulator a moment later, and each is renewed every
    // second (pollTimeoutMs 1000), so the count is awaited rather than read once.
    await until(() => emulator.stats().activities[emulator.activityArn(chargeName)]?.openPolls === 5);

    const queue = testQueue(onCleanup, resizeQueue, { prefix });
    for (let i = 0; i < 4; i += 1) {
      emulator.scheduleTask(emulator.activityArn('resize-image'), JSON.stringify({ image: i }));
    }
    await until(async () => (await queue.getWaitingCount()) === 4);
    const jobs = await queue.getWaiting();
    expect(jobs.map((job) => (job.data as { input: { image: number } }).input.image).sort()).toEqual([
      0, 1, 2, 3,
    ]);
    expect(jobs.every((job) => (job.data as { workerName: string }).workerName === 'bridge-under-test')).toBe(
      true,
    );

    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain(`sfn_bullmq_queue_jobs{queue="${resizeQueue}",state="waiting"} 4`);
    expect(metrics).toMatch(/^sfn_bullmq_bridge_\w+/m);
    expect(metrics).toContain('nodejs_heap_size_total_bytes');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/admin/queues/api/queues`)).status).toBe(200);

    cli.child.kill('SIGTERM');
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    const out = cli.stdout();
    // Readiness went 503 before the bridge started draining its polls.
    const readinessOff = out.indexOf('"msg":"http server draining"');
    const bridgeDraining = out.indexOf('"to":"draining"');
    expect(readinessOff).toBeGreaterThan(-1);
    expect(bridgeDraining).toBeGreaterThan(readinessOff);
    expect(out).toMatch(/"forced":false,"msg":"stopped"/);
    const stats = emulator.stats().activities[emulator.activityArn('resize-image')];
    expect(stats?.lostTokens.total).toBe(0);
    expect(stats?.openPolls).toBe(0);
  });

  it('stops at once on a second signal, without waiting for open polls', async () => {
    // Polls held 30 s: a graceful stop would wait for them; the second signal must not.
    const emulator = await emulatorHolding(30_000);
    const configPath = await writeConfig(
      'bridge.json',
      JSON.stringify({
        redis: { url: inject('redisUrl'), prefix: `{${uniqueName('t')}}` },
        stepFunctions: { region: 'us-east-1', endpoint: emulator.endpoint },
        http: { port: 0 },
        activities: [{ arn: emulator.activityArn('resize-image'), queue: uniqueName('q'), polls: 3 }],
      }),
    );
    const { cli, url } = await startBridge(configPath);
    await until(async () => (await fetch(`${url}/readyz`)).status === 200);
    await until(() => emulator.stats().activities[emulator.activityArn('resize-image')]?.openPolls === 3);

    cli.child.kill('SIGTERM');
    await cli.waitFor(/"to":"draining"/);
    const readyz = await fetch(`${url}/readyz`).catch(() => undefined);
    if (readyz !== undefined) expect(readyz.status).toBe(503);
    // A signal within half a second of the first counts as the same stop (pnpm forwards its own copy).
    await new Promise((resolve) => setTimeout(resolve, 600));
    const secondAt = Date.now();
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toEqual({ code: 130, signal: null });
    // Well under the 30 s the open polls would have taken.
    expect(Date.now() - secondAt).toBeLessThan(20_000);
    expect(cli.stdout()).toMatch(/"forced":true,"msg":"stopped"/);
  });

  it('is alive but not ready while Redis is unreachable, and still stops on SIGTERM', async () => {
    const emulator = await emulatorHolding(1000);
    const configPath = await writeConfig(
      'bridge.json',
      JSON.stringify({
        stepFunctions: { region: 'us-east-1', endpoint: emulator.endpoint },
        http: { port: 0 },
        activities: [{ arn: emulator.activityArn('resize-image'), polls: 2 }],
      }),
    );
    // Nothing listens on this port.
    const { cli, url } = await startBridge(configPath, {
      REDIS_URL: `redis://127.0.0.1:${await findFreePort()}`,
    });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const readyz = await fetch(`${url}/readyz`);
    expect(readyz.status).toBe(503);
    expect(await readyz.json()).toMatchObject({ ready: false, status: { redisReady: false } });
    expect((await fetch(`${url}/metrics`)).status).toBe(200);
    // No poll is opened while no token could be stored.
    expect(emulator.stats().activities[emulator.activityArn('resize-image')]?.openPolls).toBe(0);

    cli.child.kill('SIGTERM');
    expect(await cli.exited).toEqual({ code: 0, signal: null });
  });
});
