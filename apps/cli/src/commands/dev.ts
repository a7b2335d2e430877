// `sfn-bullmq dev`: one command, no AWS account. Redis (REDIS_URL or a private
// redis-server), the emulator with a sample state machine (or the user's, `--definition`), the bridge with
// its HTTP surface, the example worker (or the user's), executions and a live progress line.
// Each step is a part in `../dev/`; this file only says their order.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boardCredentialsFromEnv } from '../board-credentials.js';
import { controlPlaneClient } from '../control-plane-client.js';
import { startDevBridge } from '../dev/dev-bridge.js';
import { parseDevOptions, type DevOptions } from '../dev/dev-options.js';
import { devSay, type Say } from '../dev/dev-output.js';
import { devProgress } from '../dev/dev-progress.js';
import { startDevRedis } from '../dev/dev-redis.js';
import { drainAndSummarise } from '../dev/dev-shutdown.js';
import { DevStack } from '../dev/dev-stack.js';
import { connectDevStepFunctions } from '../dev/dev-step-functions.js';
import { DevStop } from '../dev/dev-stop.js';
import { createDevWorkflow, startDevWorkers } from '../dev/dev-workflow.js';
import { ExecutionDriver } from '../dev/execution-driver.js';
import { ProgressDisplay } from '../dev/progress-display.js';
import { FirstEnd, executionEndLines, prepareUserRun, sayUserRunning } from '../dev/user-run.js';
import { BOARD_PATH } from '../http/board.js';
import { createLogger } from '../logger.js';
import { DEV_HELP } from './help-texts.js';

export async function runDevCommand(argv: string[]): Promise<number> {
  const options = parseDevOptions(argv, process.env);
  if (options === 'help') {
    process.stdout.write(DEV_HELP);
    return 0;
  }
  // The user's files are checked before anything starts: a typo costs no Redis or emulator start.
  const prepared = options.definition ? await prepareUserRun(options.definition) : undefined;
  const out = process.stdout;
  const logDir = options.logDir ?? mkdtempSync(join(tmpdir(), 'sfn-bullmq-dev-'));
  const logger = createLogger(options.logLevel, join(logDir, 'bridge.log'));
  const boardCredentials = boardCredentialsFromEnv(process.env);
  const stack = new DevStack(logger);
  const say = devSay(out, stack);
  const stop = new DevStop({
    onSignal: (signal) => say(`\n${signal}: stopping (Ctrl-C again to stop at once)`),
    onForce: () => {
      say('stopping at once');
      void stack.service?.close({ force: true });
    },
  });

  try {
    const redisUrl = await startDevRedis(process.env, stack, say);
    if (redisUrl === undefined) return 1;
    const { sfn, workerEnv } = await connectDevStepFunctions(options, process.env, stack, say);
    if (stop.requested) return 0;

    const client = controlPlaneClient(sfn);
    stack.sfnClient = client;
    const workflow = await createDevWorkflow(options, client, sfn);
    if (options.definition === undefined) say(`workflow   ${workflow.stateMachineArn}`);

    const service = await startDevBridge(
      { options, redisUrl, sfn, activityArns: workflow.activityArns, logger, boardCredentials },
      stack,
    );
    const url = service.url;
    say(`bridge     ${options.polls} polls per activity; metrics ${url}/metrics, health ${url}/readyz`);

    let ended = false;
    const running = () => !stop.requested && !ended;
    await startDevWorkers(
      { options, prepared, redisUrl, sfn, workerEnv, logDir, logger, running },
      stack,
      say,
    );
    sayRunning(say, options, logDir, `${url}${BOARD_PATH}`, boardCredentials !== undefined);
    const user = options.definition;
    if (user) sayUserRunning(say, user, options.ratePerSecond, sfn.endpoint ?? '', workflow.stateMachineArn);

    const first = new FirstEnd();
    const driver = new ExecutionDriver({
      client,
      stateMachineArn: workflow.stateMachineArn,
      ratePerSecond: user?.once === true ? 1 : options.ratePerSecond,
      declineRate: options.declineRate,
      logger,
      ...(user && {
        input: () => prepared?.input ?? '{}',
        ...(user.once && { maxExecutions: 1 }),
        onEnd: (execution) => {
          for (const line of executionEndLines(execution, sfn.endpoint ?? '', user.once)) say(line);
          first.end(execution);
        },
        onStartError: (error) => {
          say(`StartExecution failed: ${(error as Error).message}`);
          first.startFailed();
        },
      }),
    });
    stack.driver = driver;
    stack.display = new ProgressDisplay(out, devProgress(driver, service));
    driver.start();
    stack.display.start();

    if (user?.once === true) {
      const end = await Promise.race([
        first.ended,
        stop.wait(options.durationS).then(() => 'stopped' as const),
      ]);
      if (end !== 'stopped') {
        ended = true;
        await stack.display.stop();
        stack.display = undefined;
        return end?.status === 'SUCCEEDED' ? 0 : 1;
      }
    } else {
      await stop.wait(options.durationS);
    }
    await drainAndSummarise(stack, driver, out, say, () => stop.forced);
    return 0;
  } finally {
    stop.dispose();
    await stack.close();
  }
}

function sayRunning(
  say: Say,
  options: DevOptions,
  logDir: string,
  boardUrl: string,
  boardAuth: boolean,
): void {
  say(`logs       ${logDir}`);
  say(`dashboard  ${boardUrl}${boardAuth ? ' (user and password from BOARD_USER/BOARD_PASSWORD)' : ''}`);
  if (options.definition !== undefined) return;
  say(
    `running    ${options.ratePerSecond} sample executions/s` +
      (options.durationS !== undefined ? ` for ${options.durationS} s` : '; Ctrl-C to stop'),
  );
}
