#!/usr/bin/env node
// Builds one library package for both module systems: ES modules into dist/ (tsconfig.build.json,
// as before) and CommonJS into dist/cjs/ (tsconfig.cjs.json), with a {"type":"commonjs"} package.json
// beside the CommonJS files so Node and TypeScript read them as CommonJS inside a "type": "module" package.
// Run from the package folder (its `build` script). dist/ is emptied first: stale files would ship.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const cwd = process.cwd();
const tsc = createRequire(join(cwd, 'package.json')).resolve('typescript/bin/tsc');

rmSync(join(cwd, 'dist'), { recursive: true, force: true });
for (const project of ['tsconfig.build.json', 'tsconfig.cjs.json']) {
  const run = spawnSync(process.execPath, [tsc, '-p', project], { cwd, stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
mkdirSync(join(cwd, 'dist', 'cjs'), { recursive: true });
writeFileSync(join(cwd, 'dist', 'cjs', 'package.json'), '{ "type": "commonjs" }\n');
