// `sfn-bullmq dev`: one command, no AWS account. Redis (REDIS_URL or a private
// redis-server), the emulator with a sample state machine, the bridge with its
// HTTP surface, the example worker, sample executions and a live progress line.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateStateMachineCommand } from '@aws-sdk/client-sfn';
import { startEmulator } from '@sfn-bullmq/emulator';
import type { SfnConnectionOptions } from '@sfn-bullmq/protocol';
import { RedisServer, RedisServerNotFoundError } from '@sfn-bullmq/local-redis';
import { boardCredentialsFromEnv } from '../board-credentials.js';
import { BridgeService, createActivity } from '../bridge-service.js';
import { sfnCall, sfnTarget } from '../command-error.js';
import { compileConfig, endpointProblem } from '../config/compile-config.js';
import { controlPlaneClient } from '../control-plane-client.js';
import { LOG_LEVELS, type LogLevel } from '../config/service-config.js';
import { DevStack, lostTokens } from '../dev/dev-stack.js';
import { ExecutionDriver } from '../dev/execution-driver.js';
import { ProgressDisplay } from '../dev/progress-display.js';
import { SAMPLE_ACTIVITIES, sampleDefinition, sampleStateMachineName } from '../dev/sample-state-machine.js';
import { WorkerProcess } from '../dev/worker-process.js';
import { BOARD_PATH } from '../http/board.js';
import { createLogger } from '../logger.js';
import { onStopSignals } from '../signals.js';
import { onStdoutClosed } from '../stdout-guard.js';
import { UsageError, numberFlag, optionalNumberFlag, parseFlags } from '../usage-error.js';
import { DEV_HELP } from './help-texts.js';

interface DevOptions {
  ratePerSecond: number;
  durationS: number | undefined;
  declineRate: number;
  port: number;
  host: string;
  polls: number;
  workers: number;
  concurrency: number;
  workMs: number | undefined;
  pollTimeoutMs: number;
  sfnEndpoint: string | undefined;
  aws: boolean;
  region: string;
  roleArn: string | undefined;
  logDir: string | undefined;
}

function parseDevFlags(argv: string[]): DevOptions | 'help' {
  const flags = parseFlags(argv, {
    rate: { type: 'string' },
    'duration-s': { type: 'string' },
    'decline-rate': { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    polls: { type: 'string' },
    workers: { type: 'string' },
    concurrency: { type: 'string' },
    'work-ms': { type: 'string' },
    'poll-timeout-ms': { type: 'string' },
    'sfn-endpoint': { type: 'string' },
    aws: { type: 'boolean' },
    region: { type: 'string' },
    'role-arn': { type: 'string' },
    'log-dir': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (flags.help === true) return 'help';
  const aws = flags.aws === true;
  if (aws && flags['sfn-endpoint'] !== undefined)
    throw new UsageError('--aws and --sfn-endpoint exclude each other');
  if (aws && flags['role-arn'] === undefined) {
    throw new UsageError('--aws needs --role-arn ARN (the IAM role the sample state machine runs as)');
  }
  const endpoint = flags['sfn-endpoint'];
  const endpointIssue = endpoint === undefined ? undefined : endpointProblem(endpoint);
  if (endpointIssue !== undefined) throw new UsageError(`--sfn-endpoint: ${endpointIssue}`);
  return {
    ratePerSecond: numberFlag('rate', flags.rate, 5, { min: 0, max: 10_000 }),
    durationS: optionalNumberFlag('duration-s', flags['duration-s'], { min: 1 }),
    declineRate: numberFlag('decline-rate', flags['decline-rate'], 0.1, { min: 0, max: 1 }),
    port: numberFlag('port', flags.port, 3000, { min: 0, max: 65_535, integer: true }),
    host: flags.host ?? '127.0.0.1',
    polls: numberFlag('polls', flags.polls, 100, { min: 1, max: 1000, integer: true }),
    workers: numberFlag('workers', flags.workers, 1, { min: 1, max: 64, integer: true }),
    concurrency: numberFlag('concurrency', flags.concurrency, 50, { min: 1, max: 10_000, integer: true }),
    workMs: optionalNumberFlag('work-ms', flags['work-ms'], { integer: true }),
    pollTimeoutMs: numberFlag('poll-timeout-ms', flags['poll-timeout-ms'], 5_000, {
      min: 100,
      max: 60_000,
      integer: true,
    }),
    sfnEndpoint: endpoint,
    aws,
    region: flags.region ?? process.env['AWS_REGION'] ?? 'us-east-1',
    roleArn: flags['role-arn'],
    logDir: flags['log-dir'],
  };
}

export async function runDevCommand(argv: string[]): Promise<number> {
  const parsed = parseDevFlags(argv);
  if (parsed === 'help') {
    process.stdout.write(DEV_HELP);
    return 0;
  }
  const options = parsed;
  const out = process.stdout;
  const say = (text: string) => (stack.display ? stack.display.message(text) : out.write(`${text}\n`));

  const logDir = options.logDir ?? mkdtempSync(join(tmpdir(), 'sfn-bullmq-dev-'));
  const level = process.env['LOG_LEVEL'] ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new UsageError(`LOG_LEVEL: must be one of ${LOG_LEVELS.join(', ')}, got '${level}'`);
  }
  const logger = createLogger(level as LogLevel, join(logDir, 'bridge.log'));
  const boardCredentials = boardCredentialsFromEnv(process.env);
  const stack = new DevStack(logger);

  // First signal: stop starting executions, let the running ones finish, then stop everything.
  let stopRequested = false;
  let forced = false;
  let wake: () => void = () => undefined;
  const stopSignal = new Promise<string>((resolve) => {
    wake = () => {
      stopRequested = true;
      resolve('stop');
    };
  });
  // Nobody reads our output any more (`| head -3`): stop as on Ctrl-C, draining all the same.
  const disposeStdoutWatch = onStdoutClosed(() => wake());
  const disposeSignals = onStopSignals({
    graceful: (signal) => {
      say(`\n${signal}: stopping (Ctrl-C again to stop at once)`);
      wake();
    },
    force: () => {
      forced = true;
      say('stopping at once');
      void stack.service?.close({ force: true });
    },
  });

  try {
    // Redis
    const explicitRedis = process.env['REDIS_URL'];
    let redisUrl: string;
    if (explicitRedis !== undefined && explicitRedis !== '') {
      redisUrl = explicitRedis;
      say(`redis      ${redisUrl} (REDIS_URL)`);
    } else {
      try {
        const redis = await RedisServer.start({ detached: true });
        // Detached from our process group (so Ctrl-C reaches only us), it would outlive a crash of ours.
        process.on('exit', () => redis.killNow());
        stack.redis = redis;
      } catch (error) {
        if (error instanceof RedisServerNotFoundError) {
          process.stderr.write(
            `sfn-bullmq dev: needs Redis, and 'redis-server' is not installed or not on PATH.\n` +
              `Install it (Debian/Ubuntu: 'apt-get install -y redis-server', macOS: 'brew install redis'),\n` +
              `or set REDIS_URL to a Redis that dev may write to (it adds queues under the prefix 'bull').\n`,
          );
          return 1;
        }
        throw error;
      }
      redisUrl = stack.redis.url;
      say(`redis      ${redisUrl} (private redis-server, removed on exit)`);
    }

    // Step Functions: the embedded emulator, another endpoint, or AWS.
    const sfn: SfnConnectionOptions = { region: options.region };
    let workerSfnEnv: Record<string, string> = { AWS_REGION: options.region };
    if (options.aws) {
      say(`sfn        AWS Step Functions in ${options.region} (credentials from the standard AWS chain)`);
    } else {
      if (options.sfnEndpoint !== undefined) {
        sfn.endpoint = options.sfnEndpoint;
      } else {
        stack.emulator = await startEmulator({
          region: options.region,
          pollTimeoutMs: options.pollTimeoutMs,
        });
        sfn.endpoint = stack.emulator.endpoint;
      }
      // The emulator takes any credentials; give the SDK some when the environment has none.
      const credentials = {
        accessKeyId: process.env['AWS_ACCESS_KEY_ID'] ?? 'local',
        secretAccessKey: process.env['AWS_SECRET_ACCESS_KEY'] ?? 'local',
      };
      sfn.credentials = credentials;
      workerSfnEnv = {
        ...workerSfnEnv,
        SFN_ENDPOINT: sfn.endpoint,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      };
      say(
        `emulator   ${sfn.endpoint}${stack.emulator ? ` (embedded, polls held ${options.pollTimeoutMs} ms)` : ''}`,
      );
    }
    if (stopRequested) return 0;

    // Activities and the sample state machine (both idempotent on AWS too).
    const client = controlPlaneClient(sfn);
    stack.sfnClient = client;
    const target = sfnTarget(sfn);
    const resizeArn = await createActivity(client, SAMPLE_ACTIVITIES.resize, target);
    const chargeArn = await createActivity(client, SAMPLE_ACTIVITIES.charge, target);
    const definition = JSON.stringify(sampleDefinition({ resize: resizeArn, charge: chargeArn }));
    const machine = await sfnCall('CreateStateMachine', target, () =>
      client.send(
        new CreateStateMachineCommand({
          name: sampleStateMachineName(definition),
          definition,
          roleArn: options.roleArn ?? 'arn:aws:iam::123456789012:role/sfn-bullmq-dev',
          type: 'STANDARD',
        }),
      ),
    );
    const stateMachineArn = machine.stateMachineArn ?? '';
    say(`workflow   ${stateMachineArn}`);

    // The bridge and its HTTP surface.
    const config = compileConfig(
      {
        logLevel: level,
        redis: { url: redisUrl },
        stepFunctions: { region: options.region, ...(sfn.endpoint ? { endpoint: sfn.endpoint } : {}) },
        http: { host: options.host, port: options.port },
        activities: [
          { arn: resizeArn, polls: options.polls },
          { arn: chargeArn, polls: options.polls },
        ],
      },
      {},
    );
    stack.service = await BridgeService.start({
      config,
      logger,
      portHint: 'pick another with --port N',
      ...(sfn.credentials ? { sfnCredentials: sfn.credentials } : {}),
      ...(boardCredentials ? { boardCredentials } : {}),
    });
    await stack.service.started;
    const url = stack.service.url;
    say(`bridge     ${options.polls} polls per activity; metrics ${url}/metrics, health ${url}/readyz`);

    // Example workers, as separate processes.
    for (let i = 0; i < options.workers; i += 1) {
      const worker = new WorkerProcess({
        logFile: join(logDir, `worker-${i + 1}.log`),
        env: {
          ...workerSfnEnv,
          REDIS_URL: redisUrl,
          QUEUE_RESIZE: SAMPLE_ACTIVITIES.resize,
          QUEUE_CHARGE: SAMPLE_ACTIVITIES.charge,
          CONCURRENCY: String(options.concurrency),
          LOG_LEVEL: level,
          // Several workers on one machine: each takes a free port for /metrics and logs it.
          METRICS_HOST: '127.0.0.1',
          METRICS_PORT: '0',
          ...(options.workMs !== undefined ? { WORK_MS: String(options.workMs) } : {}),
        },
      });
      stack.workers.push(worker);
      void worker.onExit().then((code) => {
        if (!stopRequested) say(`example worker ${i + 1} exited with code ${code}; see its log in ${logDir}`);
      });
    }
    say(`workers    ${options.workers} example worker process(es), concurrency ${options.concurrency}`);
    say(`logs       ${logDir}`);
    say(
      `dashboard  ${url}${BOARD_PATH}${boardCredentials ? ' (user and password from BOARD_USER/BOARD_PASSWORD)' : ''}`,
    );
    say(
      `running    ${options.ratePerSecond} sample executions/s` +
        (options.durationS !== undefined ? ` for ${options.durationS} s` : '; Ctrl-C to stop'),
    );

    // Sample executions and the progress line.
    const driver = new ExecutionDriver({
      client,
      stateMachineArn,
      ratePerSecond: options.ratePerSecond,
      declineRate: options.declineRate,
      logger,
    });
    stack.driver = driver;
    const service = stack.service;
    const startedAt = Date.now();
    stack.display = new ProgressDisplay(out, async () => {
      const counts = driver.stats();
      const status = service.bridge.status();
      const jobCounts = await Promise.all(
        service.queues.map((queue) => queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active')),
      );
      return {
        elapsedMs: Date.now() - startedAt,
        started: counts.started,
        succeeded: counts.succeeded,
        declined: counts.declined,
        failed: counts.failed + counts.timedOut + counts.aborted,
        running: counts.running,
        waiting: jobCounts.reduce(
          (sum, c) => sum + (c.waiting ?? 0) + (c.prioritized ?? 0) + (c.delayed ?? 0),
          0,
        ),
        active: jobCounts.reduce((sum, c) => sum + (c.active ?? 0), 0),
        openPolls: status.activities.reduce((sum, a) => sum + a.openPolls, 0),
      };
    });
    driver.start();
    stack.display.start();

    const timer =
      options.durationS === undefined ? undefined : setTimeout(() => wake(), options.durationS * 1000);
    await stopSignal;
    if (timer !== undefined) clearTimeout(timer);

    // Stop: no new executions; the running ones finish while everything still runs.
    driver.stopStarting();
    say(`stopping   no new executions; waiting for ${driver.stats().running} running to finish (up to 30 s)`);
    const settled = await driver.settle(30_000, () => forced);
    await stack.display.stop();
    stack.display = undefined;
    const counts = driver.stats();
    const lost = stack.emulator ? lostTokens(stack.emulator) : undefined;
    await stack.close();
    out.write(
      `dev summary: ${counts.started} started, ${counts.succeeded} succeeded (${counts.declined} declined, handled), ` +
        `${counts.failed} failed, ${counts.timedOut} timed out, ${counts.running} still running` +
        (lost === undefined ? '' : `; lost tokens: ${lost}`) +
        `\n`,
    );
    if (!settled)
      out.write('some executions were still running at the stop; they resume when a bridge polls again\n');
    return 0;
  } finally {
    disposeSignals();
    disposeStdoutWatch();
    await stack.close();
  }
}
