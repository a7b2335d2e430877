// Check 1: an ESM TypeScript consumer (tsc --strict, module nodenext) using the README's
// Bridge and ActivityWorker examples compiles against the packed packages and runs 10 executions.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CONSUMER_TSCONFIG, fixture, runConsumerApp } from './harness/consumer-app.js';
import { createNpmProject } from './harness/npm-project.js';
import { cliProjectDir } from './harness/packed-cli.js';
import { runCommand } from './harness/run-command.js';
import { ServiceProcesses } from './harness/service-process.js';
import { queueDependencies } from './harness/peer-ranges.js';

const context = inject('consumer');
const services = new ServiceProcesses();
let appDir = '';

beforeAll(async () => {
  appDir = await createNpmProject(context, {
    name: 'esm-app',
    type: 'module',
    ours: ['@sfn-bullmq/bridge', '@sfn-bullmq/worker'],
    registry: {
      ...(await queueDependencies()),
      typescript: '5.9.3',
      '@types/node': '^20.19.0',
    },
    files: { 'src/main.ts': fixture('esm-app.ts'), 'tsconfig.json': CONSUMER_TSCONFIG },
  });
});

afterAll(() => services.close());

describe('an ESM TypeScript app on the packed packages', () => {
  it('compiles with tsc --strict and module nodenext', async () => {
    await runCommand(process.execPath, [join(appDir, 'node_modules/typescript/bin/tsc'), '-p', '.'], {
      cwd: appDir,
    });
  });

  it('runs the bridge and the worker: 10 executions succeed', async () => {
    const results = await runConsumerApp({
      services,
      cliDir: cliProjectDir(context),
      appDir,
      entry: 'dist/main.js',
      redisUrl: inject('redisUrl'),
      executions: 10,
      input: (i) => ({ amountCents: 100 + i }),
    });
    expect(results.map((r) => r.output)).toEqual(
      Array.from({ length: 10 }, (_, i) => ({ chargeId: `ch-${100 + i}`, app: 'esm' })),
    );
  });
});
