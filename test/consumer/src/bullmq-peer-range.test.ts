// Check 3: an app on another bullmq version within our peer range gets exactly one bullmq,
// and its own `new Worker(queue, activityProcessor(...))` compiles and runs executions.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CONSUMER_TSCONFIG, fixture, runConsumerApp } from './harness/consumer-app.js';
import { createNpmProject, npmCommonArgs } from './harness/npm-project.js';
import { cliProjectDir } from './harness/packed-cli.js';
import {
  bullmqPeerRanges,
  bullmqVersionsIn,
  queueDependencies,
  pickOtherBullmq,
} from './harness/peer-ranges.js';
import { runCommand } from './harness/run-command.js';
import { ServiceProcesses } from './harness/service-process.js';

const context = inject('consumer');
const services = new ServiceProcesses();
let appDir = '';
let chosen = '';

/** The bullmq the workspace itself builds and tests with. */
function workspaceBullmq(): string {
  const path = createRequire(import.meta.url).resolve('bullmq/package.json');
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}

beforeAll(async () => {
  const ranges = await bullmqPeerRanges();
  const args = npmCommonArgs(context.npmCacheDir);
  const lists = await Promise.all(
    Object.values(ranges).map((range) => bullmqVersionsIn(range, args, context.rootDir)),
  );
  const inAll = (lists[0] ?? []).filter((v) => lists.every((list) => list.includes(v)));
  const other = pickOtherBullmq(inAll, workspaceBullmq());
  if (other === undefined) {
    throw new Error(`no bullmq release other than ${workspaceBullmq()} within ${JSON.stringify(ranges)}`);
  }
  chosen = other;
  process.stdout.write(`bullmq peer ranges ${JSON.stringify(ranges)}: the app uses bullmq ${chosen}\n`);
  appDir = await createNpmProject(context, {
    name: 'peer-app',
    type: 'module',
    ours: ['@sfn-bullmq/bridge', '@sfn-bullmq/worker'],
    registry: {
      ...(await queueDependencies()),
      bullmq: chosen,
      typescript: '5.9.3',
      '@types/node': '^20.19.0',
    },
    files: { 'src/main.ts': fixture('peer-app.ts'), 'tsconfig.json': CONSUMER_TSCONFIG },
  });
});

afterAll(() => services.close());

describe('an app on another bullmq version within the peer range', () => {
  it('has exactly one copy of bullmq: its own', async () => {
    // `npm ls` exits non-zero on a peer outside its range (ELSPROBLEMS) too.
    const { stdout } = await runCommand('npm', ['ls', 'bullmq', '--all', '--parseable', '--long'], {
      cwd: appDir,
    });
    const copies = [...new Set(stdout.split('\n').filter((line) => /[/\\]bullmq:bullmq@/.test(line)))];
    expect(copies, stdout).toEqual([`${join(appDir, 'node_modules', 'bullmq')}:bullmq@${chosen}`]);
  });

  it('compiles activityProcessor(...) handed to its own new Worker(...) with tsc --strict', async () => {
    await runCommand(process.execPath, [join(appDir, 'node_modules/typescript/bin/tsc'), '-p', '.'], {
      cwd: appDir,
    });
  });

  it('runs: 10 executions succeed', async () => {
    const results = await runConsumerApp({
      services,
      cliDir: cliProjectDir(context),
      appDir,
      entry: 'dist/main.js',
      redisUrl: inject('redisUrl'),
      executions: 10,
      input: (i) => ({ n: i }),
    });
    expect(results.map((r) => r.output)).toEqual(
      Array.from({ length: 10 }, (_, i) => ({ doubled: i * 2, app: 'peer' })),
    );
  });
});
