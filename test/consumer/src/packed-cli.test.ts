// Check 4: the packed CLI as a user meets it, through npx in a folder that holds nothing but
// the installed package: --version, --help, and a short `dev` run that loses no token.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { CHILD_ENV, cliBin, cliProjectDir, startEmulator } from './harness/packed-cli.js';
import { runCommand, tail } from './harness/run-command.js';
import { ServiceProcesses } from './harness/service-process.js';
import { readPackageJson, WORKSPACE_ROOT } from './harness/workspace-packages.js';

const context = inject('consumer');

/** `npx --no-install sfn-bullmq …` in the CLI's project: the local bin or nothing (never the registry). */
function npx(args: readonly string[], env: Record<string, string> = {}, timeoutMs?: number) {
  const dir = cliProjectDir(context);
  return runCommand('npx', ['--no-install', 'sfn-bullmq', ...args], {
    cwd: dir,
    env: { ...CHILD_ENV, ...env },
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
}

describe('the packed CLI through npx', () => {
  it('--version prints the package version and exits 0', async () => {
    const { version } = await readPackageJson(join(WORKSPACE_ROOT, 'apps/cli'));
    const { stdout } = await npx(['--version']);
    expect(stdout.trim()).toBe(version);
  });

  it('--help lists the commands and exits 0', async () => {
    const { stdout } = await npx(['--help']);
    expect(stdout).toMatch(/Usage: sfn-bullmq/);
    for (const command of ['bridge', 'emulator', 'dev']) expect(stdout).toContain(command);
  });

  it('dev --duration-s 10 runs everything, exits 0 and loses no token', async () => {
    const logDir = join(context.rootDir, 'dev-logs');
    const { stdout } = await npx(
      ['dev', '--duration-s', '10', '--port', '0', '--polls', '10', '--log-dir', logDir],
      { REDIS_URL: inject('redisUrl') },
      120_000,
    );
    // On a failure: dev's own output, and the tails of the bridge's and the example worker's logs.
    const shown = [stdout, ...logTails(logDir)].join('\n');
    const summary = stdout.match(/dev summary: .*/)?.[0];
    expect(summary, shown).toBeDefined();
    process.stdout.write(`${summary}\n`);
    const count = (label: string): number => Number(summary?.match(new RegExp(`(\\d+) ${label}`))?.[1]);
    expect(summary, shown).toMatch(/lost tokens: 0\b/);
    expect(count('started'), shown).toBeGreaterThan(0);
    expect(
      { succeeded: count('succeeded'), failed: count('failed'), timedOut: count('timed out') },
      shown,
    ).toEqual({ succeeded: count('started'), failed: 0, timedOut: 0 });
  });
});

describe('sfn-bullmq init, then bridge', () => {
  const services = new ServiceProcesses();
  afterAll(() => services.close());

  it('writes a bridge.yaml that the packed bridge runs as written (endpoint, Redis, port from the environment)', async () => {
    const dir = cliProjectDir(context);
    await npx(['init']);
    const config = join(dir, 'bridge.yaml');
    expect(existsSync(config), `${config} written by init`).toBe(true);
    const emulator = await startEmulator(services, cliBin(dir), dir, []);
    // Redis database 1: the starter config's queue names are dev's too, and dev ran on database 0.
    const bridge = services.spawn('bridge', process.execPath, [cliBin(dir), 'bridge', '--config', config], {
      cwd: dir,
      env: { ...CHILD_ENV, SFN_ENDPOINT: emulator.endpoint, REDIS_URL: `${inject('redisUrl')}/1`, PORT: '0' },
    });
    await bridge.waitForOutput(/service running/);
    const exit = await bridge.stop();
    if (exit !== 'exit code 0') throw bridge.failure('did not stop cleanly on SIGTERM');
  });
});

/** The last lines of each log file dev wrote (bridge.log, worker-1.log). */
function logTails(logDir: string): string[] {
  if (!existsSync(logDir)) return [`(no log folder ${logDir})`];
  return readdirSync(logDir).map(
    (file) => `--- ${file} (tail) ---\n${tail(readFileSync(join(logDir, file), 'utf8'), 20)}`,
  );
}
