#!/usr/bin/env node
// `pnpm dev` and `pnpm sfn-bullmq` build the workspace first. The first build takes about a
// minute; instead of a silent turbo, say which package is being built (on stderr), and show
// turbo's whole output only when the build fails.
import { spawn } from 'node:child_process';
import { delimiter } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { BuildProgress } from './build-progress.js';

// For the test of `pnpm dev` itself, which must not rebuild the packages other tests are running.
if (process.env.SFN_BULLMQ_SKIP_BUILD === '1') process.exit(0);

const startedAt = Date.now();
const say = (text) => process.stderr.write(`${text}\n`);
say('sfn-bullmq: building the packages (turbo; the first build takes about a minute, later ones are cached)');

// The workspace's own turbo, also when run outside a pnpm script (which puts it on PATH).
const bin = fileURLToPath(new URL('../../../node_modules/.bin', import.meta.url));
const turbo = spawn('turbo', ['run', 'build', '--output-logs=new-only', '--no-color'], {
  stdio: ['ignore', 'pipe', 'pipe'],
  env: { ...process.env, FORCE_COLOR: '0', PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` },
});
let failedToRun = false;
const progress = new BuildProgress();
const captured = [];
for (const stream of [turbo.stdout, turbo.stderr]) {
  createInterface({ input: stream }).on('line', (text) => {
    captured.push(text);
    const line = progress.line(text);
    if (line !== undefined) say(line);
  });
}
turbo.on('error', (error) => {
  failedToRun = true;
  say(`sfn-bullmq: could not run turbo (${error.message}); run 'pnpm install' first`);
  process.exitCode = 1;
});
turbo.on('close', (code) => {
  if (failedToRun) return;
  if (code === 0) {
    say(progress.summary(Date.now() - startedAt));
    return;
  }
  for (const text of captured) say(text);
  say(`sfn-bullmq: the build failed (turbo exit code ${code})`);
  process.exitCode = code ?? 1;
});
