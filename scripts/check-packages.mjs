#!/usr/bin/env node
// Lints what we publish: for every public workspace package, publint (package.json against the files
// it ships) and arethetypeswrong on its packed tarball (types resolve for ESM and CJS consumers under
// node10, node16 and bundler), and its LICENSE is the root one. Part of the root `lint` script.
// Run after `pnpm build`. Exits non-zero on the first package with a problem, after checking all.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The CLI is a command first; its small programmatic entry (BridgeService, loadConfig) stays ES modules
// only rather than doubling the package with a CommonJS build nobody asked for, so arethetypeswrong
// checks it with the esm-only profile (node10 and CommonJS resolution of "." are not expected to work).
const ATTW_PROFILE = { 'sfn-bullmq': 'esm-only' };

const license = readFileSync(join(root, 'LICENSE'), 'utf8');
const dirs = ['packages', 'apps', 'test'].flatMap((group) =>
  readdirSync(join(root, group)).map((name) => join(root, group, name)),
);
let failed = 0;
for (const dir of dirs) {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) continue;
  const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
  if (pkg.private === true) continue;
  const problems = [];
  if (!existsSync(join(dir, 'LICENSE')) || readFileSync(join(dir, 'LICENSE'), 'utf8') !== license) {
    problems.push('LICENSE missing or different from the root LICENSE');
  }
  const run = (args) => spawnSync('pnpm', ['exec', ...args], { cwd: root, stdio: 'inherit' }).status === 0;
  if (!run(['publint', '--strict', dir])) problems.push('publint');
  const profile = ATTW_PROFILE[pkg.name];
  if (!run(['attw', '--pack', dir, '--format', 'ascii', ...(profile ? ['--profile', profile] : [])])) {
    problems.push('arethetypeswrong');
  }
  if (problems.length > 0) {
    failed += 1;
    process.stderr.write(`${pkg.name}: ${problems.join(', ')}\n`);
  }
}
process.exit(failed > 0 ? 1 : 0);
