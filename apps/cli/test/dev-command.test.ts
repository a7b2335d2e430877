// `sfn-bullmq dev` end to end, as the README runs it: a private Redis, the
// emulator, the bridge, the example worker as a child process, sample executions.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from './cli-process.js';
import { until } from './harness.js';

const runs: CliRun[] = [];
afterEach(async () => {
  await Promise.all(runs.splice(0).map((run) => run.kill()));
});

const FLAGS = [
  '--port',
  '0',
  '--polls',
  '10',
  '--rate',
  '5',
  '--poll-timeout-ms',
  '1000',
  '--concurrency',
  '20',
];

function summary(out: string) {
  const match =
    /dev summary: (\d+) started, (\d+) succeeded \((\d+) declined, handled\), (\d+) failed, (\d+) timed out, (\d+) still running; lost tokens: (\d+)/.exec(
      out,
    );
  if (match === null) throw new Error(`no summary in:\n${out}`);
  const [started = 0, succeeded = 0, declined = 0, failed = 0, timedOut = 0, running = 0, lost = 0] = match
    .slice(1)
    .map(Number);
  return { started, succeeded, declined, failed, timedOut, running, lost };
}

describe('sfn-bullmq dev', () => {
  it('runs sample executions to success and stops cleanly on SIGTERM with no token lost', async () => {
    const cli = runCli(['dev', ...FLAGS, '--decline-rate', '0.3'], { REDIS_URL: '', LOG_LEVEL: 'info' });
    runs.push(cli);
    const [, dashboard] = (await cli.waitFor(/dashboard\s+(http:\/\/\S+)/)) as unknown as [string, string];
    // Progress lines come every 2 s when the output is not a terminal.
    await cli.waitFor(/executions: \d+ started, ([1-9]\d+) succeeded/, 40_000);
    const board = await fetch(dashboard);
    expect(board.status).toBe(200);
    const metrics = await (await fetch(dashboard.replace('/admin/queues', '/metrics'))).text();
    expect(metrics).toMatch(/sfn_bullmq_queue_jobs\{queue="resize-image",state="completed"\} [1-9]/);
    // A declined card is reported with SendTaskFailure, and its job ends as failed, not completed.
    await until(async () =>
      /sfn_bullmq_queue_jobs\{queue="charge-card",state="failed"\} [1-9]/.test(
        await (await fetch(dashboard.replace('/admin/queues', '/metrics'))).text(),
      ),
    );

    cli.child.kill('SIGTERM');
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    const result = summary(cli.stdout());
    expect(result.succeeded).toBeGreaterThanOrEqual(10);
    expect(result.succeeded).toBe(result.started);
    expect(result.failed).toBe(0);
    expect(result.timedOut).toBe(0);
    expect(result.running).toBe(0);
    expect(result.lost).toBe(0);
    // Declined cards are caught by the state machine: handled, not failed.
    expect(result.declined).toBeGreaterThan(0);
    expect(cli.stderr()).toBe('');
  });

  it('stops cleanly when Ctrl-C reaches its whole process group, as in a terminal', async () => {
    // A terminal sends SIGINT to every process of the foreground group: the private redis-server and the
    // example worker must not stop on their own before the running executions have finished.
    const cli = runCli(['dev', ...FLAGS], { REDIS_URL: '' }, { processGroup: true });
    runs.push(cli);
    await cli.waitFor(/executions: \d+ started, ([1-9]\d*) succeeded/, 40_000);
    process.kill(-cli.child.pid!, 'SIGINT');
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    const result = summary(cli.stdout());
    expect(result.started).toBeGreaterThan(0);
    expect(result.succeeded).toBe(result.started);
    expect(result.running).toBe(0);
    expect(result.lost).toBe(0);
  });

  it('drains and exits 0 when its stdout closes (`| head -3`, or a `| tee` gone on Ctrl-C)', async () => {
    const logDir = await mkdtemp(join(tmpdir(), 'sfn-bullmq-dev-epipe-'));
    try {
      const cli = runCli(['dev', ...FLAGS, '--log-dir', logDir], { REDIS_URL: '', LOG_LEVEL: 'info' });
      runs.push(cli);
      await cli.waitFor(/executions: \d+ started/, 40_000);
      // The reader goes away, as `head` does after its lines: the next write meets a closed pipe.
      cli.child.stdout?.destroy();
      expect(await cli.exited).toEqual({ code: 0, signal: null });
      expect(cli.stderr()).not.toContain('EPIPE');
      const log = await readFile(join(logDir, 'bridge.log'), 'utf8');
      expect(log).toContain('"msg":"service stopped"');
      expect(log).toContain('"msg":"activity pool closed"');
    } finally {
      await rm(logDir, { recursive: true, force: true });
    }
  });

  it('ends a clean Ctrl-C through `pnpm dev` with exit code 0 and no ELIFECYCLE', async () => {
    // `pnpm dev` as typed in a terminal: the build step skipped (other tests use the built packages),
    // Ctrl-C to the whole foreground group, which pnpm also forwards to its child.
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const cli = runCli(
      FLAGS,
      { REDIS_URL: '', SFN_BULLMQ_SKIP_BUILD: '1' },
      { processGroup: true, command: ['pnpm', 'dev'], cwd: root },
    );
    runs.push(cli);
    await cli.waitFor(/executions: \d+ started, ([1-9]\d*) succeeded/, 40_000);
    process.kill(-cli.child.pid!, 'SIGINT');
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    expect(cli.stdout() + cli.stderr()).not.toContain('ELIFECYCLE');
    const result = summary(cli.stdout());
    // The drain ran to its end: not cut short as by a second Ctrl-C.
    expect(result.succeeded).toBe(result.started);
    expect(result.running).toBe(0);
    expect(cli.stdout()).not.toContain('stopping at once');
  });

  it('stops by itself after --duration-s', async () => {
    const cli = runCli(['dev', ...FLAGS, '--duration-s', '3'], { REDIS_URL: '' });
    runs.push(cli);
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    const result = summary(cli.stdout());
    expect(result.started).toBeGreaterThanOrEqual(10);
    expect(result.succeeded).toBe(result.started);
    expect(result.lost).toBe(0);
  });
});

describe('sfn-bullmq dev without redis-server', () => {
  it('says how to install it, or to set REDIS_URL, and exits 1', async () => {
    const cli = runCli(['dev', '--port', '0'], { REDIS_URL: '', PATH: '/nonexistent' });
    runs.push(cli);
    expect((await cli.exited).code).toBe(1);
    expect(cli.stderr()).toContain('apt-get install -y redis-server');
    expect(cli.stderr()).toContain('REDIS_URL');
    // Spoken to a user of dev, not to the test suite the helper also serves.
    expect(cli.stderr()).not.toContain('the tests');
  });
});
