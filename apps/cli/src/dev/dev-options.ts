// `sfn-bullmq dev`'s flags (and LOG_LEVEL), checked once into `DevOptions` before anything starts.
// A new flag goes here: its parse rule, its field, and a line in DEV_HELP.
import { endpointProblem } from '../config/compile-config.js';
import { LOG_LEVELS, type LogLevel } from '../config/service-config.js';
import { UsageError, numberFlag, optionalNumberFlag, parseFlags } from '../usage-error.js';

export interface DevOptions {
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
  logLevel: LogLevel;
  /** `--definition FILE`: the user's own state machine instead of the sample (see user-workflow.ts). */
  definition: UserRun | undefined;
}

/** What `--definition` runs: the machine, its input, the worker module, and once or at `--rate`. */
export interface UserRun {
  definitionPath: string;
  /** `--input FILE`; undefined starts each execution with `{}`. */
  inputPath: string | undefined;
  /** `--worker MODULE`; undefined runs the example worker. */
  workerPath: string | undefined;
  /** No `--rate`: one execution, and dev exits when it ends. */
  once: boolean;
}

/** The environment variables dev reads besides its flags. */
export type DevEnv = Readonly<Record<string, string | undefined>>;

/** Parses and checks the flags; 'help' for `--help`. Throws `UsageError` naming the flag. */
export function parseDevOptions(argv: string[], env: DevEnv): DevOptions | 'help' {
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
    definition: { type: 'string' },
    input: { type: 'string' },
    worker: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (flags.help === true) return 'help';
  const aws = flags.aws === true;
  if (aws && flags['sfn-endpoint'] !== undefined)
    throw new UsageError('--aws and --sfn-endpoint exclude each other');
  if (aws && flags['role-arn'] === undefined) {
    throw new UsageError('--aws needs --role-arn ARN (the IAM role the sample state machine runs as)');
  }
  const definitionPath = flags.definition;
  for (const flag of ['input', 'worker'] as const) {
    if (flags[flag] !== undefined && definitionPath === undefined)
      throw new UsageError(`--${flag} needs --definition FILE (it is for your own state machine)`);
  }
  if (definitionPath !== undefined && aws)
    throw new UsageError('--definition runs on the embedded emulator or --sfn-endpoint, not with --aws');
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
    region: flags.region ?? env['AWS_REGION'] ?? 'us-east-1',
    roleArn: flags['role-arn'],
    logDir: flags['log-dir'],
    logLevel: logLevelFrom(env['LOG_LEVEL']),
    definition:
      definitionPath === undefined
        ? undefined
        : {
            definitionPath,
            inputPath: flags.input,
            workerPath: flags.worker,
            once: flags.rate === undefined,
          },
  };
}

function logLevelFrom(value: string | undefined): LogLevel {
  const level = value ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new UsageError(`LOG_LEVEL: must be one of ${LOG_LEVELS.join(', ')}, got '${level}'`);
  }
  return level as LogLevel;
}
