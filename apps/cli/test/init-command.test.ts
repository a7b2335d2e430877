import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXAMPLE_CONFIG_PATH } from '../src/commands/init.js';
import { loadConfig } from '../src/config/load-config.js';
import { BIN } from './cli-process.js';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Runs the built CLI in `cwd`, as a user runs `npx sfn-bullmq init` in their project folder. */
function runIn(
  cwd: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('sfn-bullmq init', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sfn-bullmq-init-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the shipped example config as bridge.yaml, which the bridge command accepts', async () => {
    const run = await runIn(dir, ['init']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const written = await readFile(join(dir, 'bridge.yaml'), 'utf8');
    expect(written).toBe(await readFile(EXAMPLE_CONFIG_PATH, 'utf8'));
    expect(written).toMatch(/^# /); // commented: it explains itself
    const config = await loadConfig(join(dir, 'bridge.yaml'));
    expect(config.activities.length).toBeGreaterThan(0);
    // A starter for real AWS: no emulator endpoint unless SFN_ENDPOINT asks for one.
    expect(config.stepFunctions.endpoint).toBeUndefined();
  });

  it('refuses to overwrite an existing bridge.yaml, and overwrites it with --force', async () => {
    await writeFile(join(dir, 'bridge.yaml'), 'mine: true\n');
    const refused = await runIn(dir, ['init']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('already exists');
    expect(await readFile(join(dir, 'bridge.yaml'), 'utf8')).toBe('mine: true\n');

    const forced = await runIn(dir, ['init', '--force']);
    expect(forced.code).toBe(0);
    expect(await readFile(join(dir, 'bridge.yaml'), 'utf8')).toBe(
      await readFile(EXAMPLE_CONFIG_PATH, 'utf8'),
    );
  });

  it('is listed in the top-level help', async () => {
    const run = await runIn(dir, ['--help']);
    expect(run.stdout).toMatch(/^\s+init\b/m);
  });
});

describe('help texts', () => {
  it('name only files that ship in the package', async () => {
    const pkg = JSON.parse(await readFile(join(PACKAGE_DIR, 'package.json'), 'utf8')) as { files: string[] };
    // The example config must sit in a folder the package ships.
    const top = relative(PACKAGE_DIR, EXAMPLE_CONFIG_PATH).split(/[\\/]/)[0] ?? '';
    expect(pkg.files).toContain(top);
    for (const command of ['bridge', 'emulator', 'dev', 'init']) {
      const run = await runIn(tmpdir(), [command, '--help']);
      expect(run.code, `${command} --help`).toBe(0);
      // A repository path (apps/…, packages/…) does not exist in an installed package.
      expect(run.stdout, `${command} --help`).not.toMatch(/\b(apps|packages)\/[\w.-]+\//);
    }
  });
});
