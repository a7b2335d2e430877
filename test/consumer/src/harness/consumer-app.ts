// One consumer app, end to end: the packed CLI's emulator with a fresh activity, the app
// (its bridge and worker) as a child process, N executions that must succeed, and a clean stop.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExecutionDriver, type ExecutionResult } from './executions.js';
import { CHILD_ENV, cliBin, startEmulator } from './packed-cli.js';
import type { ServiceProcesses } from './service-process.js';

/** A fixture app's source (`src/fixtures/<file>`), to write into a consumer project. */
export function fixture(file: string): string {
  return readFileSync(join(import.meta.dirname, '..', 'fixtures', file), 'utf8');
}

/** The tsconfig of a consumer's TypeScript project: strict, ESM on Node's own resolution. */
export const CONSUMER_TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: {
      strict: true,
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'es2022',
      types: ['node'],
      rootDir: 'src',
      outDir: 'dist',
      // Our declaration files are checked as a consumer's compiler sees them, not skipped.
      skipLibCheck: false,
    },
    include: ['src'],
  },
  null,
  2,
)}\n`;

export interface ConsumerAppRun {
  services: ServiceProcesses;
  /** The project holding the packed CLI (its emulator). */
  cliDir: string;
  /** The app's project folder (its working directory). */
  appDir: string;
  /** The app's entry file, relative to `appDir`. */
  entry: string;
  redisUrl: string;
  executions: number;
  input: (i: number) => unknown;
}

/** Runs the app against a fresh emulator and activity; resolves with the executions' results once it stopped. */
export async function runConsumerApp(run: ConsumerAppRun): Promise<ExecutionResult[]> {
  const activity = `consumer-${randomUUID()}`;
  const emulator = await startEmulator(run.services, cliBin(run.cliDir), run.cliDir, [activity]);
  const activityArn = emulator.activityArns[activity] ?? '';
  const driver = new ExecutionDriver(emulator.endpoint);
  try {
    const stateMachineArn = await driver.createStateMachine(activityArn);
    const app = run.services.spawn('app', process.execPath, [run.entry], {
      cwd: run.appDir,
      env: {
        ...CHILD_ENV,
        REDIS_URL: run.redisUrl,
        SFN_ENDPOINT: emulator.endpoint,
        ACTIVITY_ARN: activityArn,
        QUEUE: activity,
      },
    });
    await app.waitForOutput(/consumer app ready/);
    // A crash ends the wait at once; once the app is stopped on purpose, nobody listens any more.
    const crashed = app.failOnExit();
    crashed.catch(() => undefined);
    const results = await driver.runAll(stateMachineArn, run.executions, run.input, {
      whileWaiting: crashed,
    });
    const exit = await app.stop();
    if (exit !== 'exit code 0') throw app.failure('did not stop cleanly on SIGTERM');
    return results;
  } finally {
    driver.close();
  }
}
