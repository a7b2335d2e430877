// Check 2: a CommonJS consumer in plain JavaScript loads our packages with require()
// and runs 10 executions through its bridge and worker.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fixture, runConsumerApp } from './harness/consumer-app.js';
import { createNpmProject } from './harness/npm-project.js';
import { cliProjectDir } from './harness/packed-cli.js';
import { queueDependencies } from './harness/peer-ranges.js';
import { runCommand } from './harness/run-command.js';
import { ServiceProcesses } from './harness/service-process.js';

const context = inject('consumer');
const services = new ServiceProcesses();
let appDir = '';

beforeAll(async () => {
  appDir = await createNpmProject(context, {
    name: 'cjs-app',
    type: 'commonjs',
    ours: ['@sfn-bullmq/bridge', '@sfn-bullmq/worker'],
    registry: await queueDependencies(),
    files: { 'main.cjs': fixture('cjs-app.cjs') },
  });
});

afterAll(() => services.close());

describe('a CommonJS app on the packed packages', () => {
  it('require()s @sfn-bullmq/bridge and @sfn-bullmq/worker', async () => {
    const probe =
      "const b = require('@sfn-bullmq/bridge'); const w = require('@sfn-bullmq/worker');" +
      'console.log(typeof b.Bridge, typeof w.ActivityWorker, typeof w.activityProcessor)';
    const { stdout } = await runCommand(process.execPath, ['-e', probe], { cwd: appDir });
    expect(stdout.trim()).toBe('function function function');
  });

  it('runs the bridge and the worker: 10 executions succeed', async () => {
    const results = await runConsumerApp({
      services,
      cliDir: cliProjectDir(context),
      appDir,
      entry: 'main.cjs',
      redisUrl: inject('redisUrl'),
      executions: 10,
      input: (i) => ({ amountCents: 200 + i }),
    });
    expect(results.map((r) => r.output)).toEqual(
      Array.from({ length: 10 }, (_, i) => ({ chargeId: `ch-${200 + i}`, app: 'cjs' })),
    );
  });
});
