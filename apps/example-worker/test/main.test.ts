import type {} from '@sfn-bullmq/test-support/vitest-global-setup';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { GetActivityTaskCommand, SFNClient } from '@aws-sdk/client-sfn';
import { startEmulator, type Emulator } from '@sfn-bullmq/emulator';
import { jobIdForToken, parseTaskInput, type ActivityJobData } from '@sfn-bullmq/protocol';
import { uniqueName } from '@sfn-bullmq/test-support';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, inject, it } from 'vitest';

const redisUrl = inject('redisUrl');
const mainJs = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Spawns `node dist/main.js` and resolves once it logs that it is ready. */
async function startService(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; exit: Promise<number | null>; output: () => string }> {
  const child = spawn(process.execPath, [mainJs], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exit;
  });
  const deadline = Date.now() + 15_000;
  while (!output.includes('example worker ready')) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`the service did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return { child, exit, output: () => output };
}

/** Schedules a task, takes its token as the bridge would and adds the bridge's job. */
async function deliver(
  emulator: Emulator,
  sfn: SFNClient,
  queue: Queue<ActivityJobData>,
  arn: string,
  input: unknown,
) {
  const { outcome } = emulator.scheduleTask(arn, JSON.stringify(input), { heartbeatSeconds: 5 });
  const task = await sfn.send(new GetActivityTaskCommand({ activityArn: arn, workerName: 'test-bridge' }));
  if (task.taskToken === undefined) throw new Error('the poll got no task');
  await queue.add(
    queue.name,
    {
      taskToken: task.taskToken,
      ...parseTaskInput(task.input),
      activityArn: arn,
      workerName: 'test-bridge',
      receivedAt: Date.now(),
    },
    { jobId: jobIdForToken(task.taskToken) },
  );
  return outcome;
}

describe('example worker service', () => {
  it('runs both handlers from the environment, counts them on /metrics, answers /healthz and /readyz, and exits 0 on SIGTERM', async () => {
    const emulator = await startEmulator({ pollTimeoutMs: 1_000 });
    cleanups.push(() => emulator.close());
    const sfn = new SFNClient({
      endpoint: emulator.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 't', secretAccessKey: 't' },
    });
    cleanups.push(() => Promise.resolve(sfn.destroy()));
    const resizeArn = emulator.createActivity(uniqueName('resize'));
    const chargeArn = emulator.createActivity(uniqueName('charge'));
    // A database other than 0, so the service must read the whole URL to find the jobs.
    const url = new URL(redisUrl);
    url.pathname = '/3';
    const connection = { host: url.hostname, port: Number(url.port), db: 3 };
    const resizeQueue = new Queue<ActivityJobData>(uniqueName('resize-image'), { connection });
    const chargeQueue = new Queue<ActivityJobData>(uniqueName('charge-card'), { connection });
    for (const queue of [resizeQueue, chargeQueue]) {
      cleanups.push(async () => {
        await queue.obliterate({ force: true });
        await queue.close();
      });
    }

    const service = await startService({
      REDIS_URL: url.href,
      SFN_ENDPOINT: emulator.endpoint,
      AWS_REGION: 'us-east-1',
      QUEUE_RESIZE: resizeQueue.name,
      QUEUE_CHARGE: chargeQueue.name,
      CONCURRENCY: '4',
      WORK_MS: '300',
      LOG_LEVEL: 'info',
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: '0',
    });
    const metricsUrl = /"metrics":"(http:\/\/[^"]+)\/metrics"/.exec(service.output())?.[1];
    expect(metricsUrl, service.output()).toBeDefined();

    const resized = deliver(emulator, sfn, resizeQueue, resizeArn, {
      imageUrl: 'https://x/y.png',
      width: 800,
      height: 600,
    });
    const charged = deliver(emulator, sfn, chargeQueue, chargeArn, { amountCents: 4_200 });
    const declined = deliver(emulator, sfn, chargeQueue, chargeArn, { amountCents: 500_000 });

    const resizeOutcome = await resized;
    expect(resizeOutcome.kind).toBe('succeeded');
    expect(JSON.parse((resizeOutcome as { output: string }).output)).toMatchObject({
      width: 800,
      height: 600,
    });
    await expect(charged).resolves.toMatchObject({ kind: 'succeeded' });
    await expect(declined).resolves.toMatchObject({ kind: 'failed', error: 'CardDeclined' });
    expect(emulator.stats().activities[resizeArn]?.heartbeats).toBeGreaterThan(0);

    const ready = await fetch(`${metricsUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect((await fetch(`${metricsUrl}/healthz`)).status).toBe(200);
    const scrape = await (await fetch(`${metricsUrl}/metrics`)).text();
    const charge = `activity="${chargeArn.split(':').at(-1)}",queue="${chargeQueue.name}"`;
    expect(scrape).toContain(
      `sfn_bullmq_worker_tasks_finished_total{${charge},outcome="succeeded",error=""} 1`,
    );
    expect(scrape).toContain(
      `sfn_bullmq_worker_tasks_finished_total{${charge},outcome="failed",error="CardDeclined"} 1`,
    );
    expect(scrape).toContain(`sfn_bullmq_worker_concurrency{queue="${chargeQueue.name}"} 4`);
    expect(scrape).toMatch(/sfn_bullmq_worker_heartbeats_total\{[^}]*result="sent"\} [1-9]/);
    expect(scrape).toContain('sfn_bullmq_worker_queue_wait_seconds_bucket');
    expect(scrape).toContain('process_cpu_seconds_total');

    service.child.kill('SIGTERM');
    expect(await service.exit).toBe(0);
    expect(service.output()).toContain('stopped');
  });

  it('refuses to start without REDIS_URL, naming it, with exit code 2', async () => {
    const child = spawn(process.execPath, [mainJs], {
      env: { PATH: process.env['PATH'] ?? '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('REDIS_URL');
  });
});
