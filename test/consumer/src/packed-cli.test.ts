// Check 4: the packed CLI as a user meets it, through npx in a folder that holds nothing but
// the installed package: --version, --help, and a short `dev` run that loses no token.
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { CHILD_ENV, cliProjectDir } from './harness/packed-cli.js';
import { runCommand } from './harness/run-command.js';
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
    expect(stdout.trim()).toContain(version);
  });

  it('--help lists the commands and exits 0', async () => {
    const { stdout } = await npx(['--help']);
    expect(stdout).toMatch(/Usage: sfn-bullmq/);
    for (const command of ['bridge', 'emulator', 'dev']) expect(stdout).toContain(command);
  });

  it('dev --duration-s 10 runs everything, exits 0 and loses no token', async () => {
    const { stdout } = await npx(
      ['dev', '--duration-s', '10', '--port', '0', '--polls', '10'],
      { REDIS_URL: inject('redisUrl') },
      120_000,
    );
    const summary = stdout.match(/dev summary: .*/)?.[0];
    expect(summary, stdout).toBeDefined();
    process.stdout.write(`${summary}\n`);
    expect(summary).toMatch(/lost tokens: 0\b/);
    expect(summary).toMatch(/ 0 failed, 0 timed out/);
    expect(Number(summary?.match(/(\d+) started/)?.[1])).toBeGreaterThan(0);
  });
});
