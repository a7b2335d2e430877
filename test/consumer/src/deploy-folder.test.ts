// Check 5: the folder `scripts/deploy-cli.sh` makes with `pnpm deploy --prod` (what the container
// image holds) runs on its own: its emulator, its bridge from a config file and its example worker.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ExecutionDriver } from './harness/executions.js';
import { CHILD_ENV, startEmulator } from './harness/packed-cli.js';
import { runCommand } from './harness/run-command.js';
import { ServiceProcesses } from './harness/service-process.js';
import { readPackageJson, WORKSPACE_ROOT } from './harness/workspace-packages.js';

const context = inject('consumer');
const services = new ServiceProcesses();
const deployDir = join(context.rootDir, 'deploy');
const script = join(WORKSPACE_ROOT, 'scripts', 'deploy-cli.sh');

beforeAll(async () => {
  if (!existsSync(script)) throw new Error(`${script} is not there: nothing makes the deploy folder yet`);
  await runCommand('sh', [script, deployDir], { cwd: WORKSPACE_ROOT, timeoutMs: 240_000 });
});

afterAll(() => services.close());

/** The example worker's entry in the deploy folder: its bin if it has one, else its dist/main.js. */
async function exampleWorkerEntry(): Promise<string> {
  const dir = join(deployDir, 'node_modules', '@sfn-bullmq', 'example-worker');
  const { bin } = await readPackageJson(dir);
  const entry = typeof bin === 'string' ? bin : bin === undefined ? undefined : Object.values(bin)[0];
  return join(dir, entry ?? 'dist/main.js');
}

describe('the pnpm deploy --prod folder of the CLI', () => {
  it('runs emulator, bridge (--config) and the example worker: executions succeed', async () => {
    const bin = join(deployDir, 'bin', 'sfn-bullmq.js');
    expect(existsSync(bin), `${bin} in the deploy folder`).toBe(true);
    const activity = `consumer-resize-${randomUUID()}`;
    const emulator = await startEmulator(services, bin, deployDir, [activity]);
    const activityArn = emulator.activityArns[activity] ?? '';

    const configDir = join(context.rootDir, 'deploy-config');
    await mkdir(configDir, { recursive: true });
    const config = join(configDir, 'bridge.yaml');
    await writeFile(
      config,
      [
        'logLevel: info',
        'redis:',
        `  url: ${inject('redisUrl')}`,
        'stepFunctions:',
        '  region: us-east-1',
        `  endpoint: ${emulator.endpoint}`,
        'http:',
        '  port: 0',
        'activities:',
        `  - arn: ${activityArn}`,
        '    polls: 10',
        '',
      ].join('\n'),
    );
    const bridge = services.spawn('bridge', process.execPath, [bin, 'bridge', '--config', config], {
      cwd: deployDir,
      env: CHILD_ENV,
    });
    const worker = services.spawn('example-worker', process.execPath, [await exampleWorkerEntry()], {
      cwd: deployDir,
      env: {
        ...CHILD_ENV,
        REDIS_URL: inject('redisUrl'),
        SFN_ENDPOINT: emulator.endpoint,
        QUEUE_RESIZE: activity,
        QUEUE_CHARGE: `consumer-charge-${randomUUID()}`,
        WORK_MS: '20',
      },
    });
    await bridge.waitForOutput(/service running/);
    await worker.waitForOutput(/example worker ready/);

    const driver = new ExecutionDriver(emulator.endpoint);
    try {
      const crashed = Promise.race([bridge.failOnExit(), worker.failOnExit()]);
      crashed.catch(() => undefined);
      const stateMachineArn = await driver.createStateMachine(activityArn);
      const results = await driver.runAll(stateMachineArn, 10, (i) => ({ width: 100 + i, height: 50 }), {
        whileWaiting: crashed,
      });
      expect(results.map((r) => (r.output as { width?: number }).width)).toEqual(
        Array.from({ length: 10 }, (_, i) => 100 + i),
      );
    } finally {
      driver.close();
    }
    for (const service of [worker, bridge]) {
      const exit = await service.stop();
      if (exit !== 'exit code 0') throw service.failure('did not stop cleanly on SIGTERM');
    }
  });
});
