// `sfn-bullmq emulator`: the Step Functions activity emulator as a process,
// printing its endpoint and the ARNs it created; stops on SIGINT/SIGTERM.
import { startEmulator, type EmulatorOptions } from '@sfn-bullmq/emulator';
import { isInvalidOptionError } from '@sfn-bullmq/protocol';
import { portInUse } from '../command-error.js';
import { DUMMY_CREDENTIALS } from '../config/emulator-credentials.js';
import { waitForStopSignal } from '../signals.js';
import { UsageError, numberFlag, optionalNumberFlag, parseFlags } from '../usage-error.js';
import { createStateMachine } from '../definition/create-state-machine.js';
import { loadUserDefinition } from '../definition/user-definition.js';
import { EMULATOR_HELP } from './help-texts.js';

/** The emulator's option names as the flags that set them, so an error names what the user typed. */
const FLAGS: Record<string, string> = {
  port: '--port',
  host: '--host',
  region: '--region',
  accountId: '--account-id',
  pollTimeoutMs: '--poll-timeout-ms',
  activities: '--activity',
  'faults.dropRate': '--drop-rate',
  'faults.stallFollowers': '--stall-followers',
  'faults.latencyMs': '--latency-ms',
  'faults.errorRate': '--error-rate',
  throttle: '--throttle',
};

function asFlagError(error: unknown, port: number): unknown {
  // By shape, like every invalid-option error: the emulator's does not extend protocol's class.
  if (isInvalidOptionError(error)) {
    const flag = FLAGS[error.option];
    if (flag !== undefined) return new UsageError(`${flag}${error.message.slice(error.option.length)}`);
  }
  return portInUse(error, `--port ${port}`, 'pick another with --port N');
}

export async function runEmulatorCommand(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    region: { type: 'string' },
    'account-id': { type: 'string' },
    'poll-timeout-ms': { type: 'string' },
    activity: { type: 'string', multiple: true },
    'drop-rate': { type: 'string' },
    'stall-followers': { type: 'string' },
    'latency-ms': { type: 'string' },
    'error-rate': { type: 'string' },
    throttle: { type: 'boolean' },
    definition: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (flags.help === true) {
    process.stdout.write(EMULATOR_HELP);
    return 0;
  }
  const options: EmulatorOptions = {
    port: numberFlag('port', flags.port, 8083, { min: 0, max: 65_535, integer: true }),
    pollTimeoutMs: numberFlag('poll-timeout-ms', flags['poll-timeout-ms'], 60_000, {
      min: 1,
      max: 600_000,
      integer: true,
    }),
    activities: flags.activity ?? [],
    throttle: flags.throttle === true,
  };
  if (flags.host !== undefined) options.host = flags.host;
  if (flags.region !== undefined) options.region = flags.region;
  if (flags['account-id'] !== undefined) options.accountId = flags['account-id'];
  const faults: NonNullable<EmulatorOptions['faults']> = {};
  const dropRate = optionalNumberFlag('drop-rate', flags['drop-rate'], { min: 0, max: 1 });
  const stallFollowers = optionalNumberFlag('stall-followers', flags['stall-followers'], { integer: true });
  const latencyMs = optionalNumberFlag('latency-ms', flags['latency-ms'], { integer: true });
  const errorRate = optionalNumberFlag('error-rate', flags['error-rate'], { min: 0, max: 1 });
  if (dropRate !== undefined) faults.dropRate = dropRate;
  if (stallFollowers !== undefined) faults.stallFollowers = stallFollowers;
  if (latencyMs !== undefined) faults.latencyMs = latencyMs;
  if (errorRate !== undefined) faults.errorRate = errorRate;
  options.faults = faults;

  const signals = waitForStopSignal(() => process.exit(130));
  try {
    const emulator = await startEmulator(options).catch((error: unknown) => {
      throw asFlagError(error, options.port ?? 0);
    });
    try {
      const out = process.stdout;
      out.write(`sfn-bullmq emulator listening on ${emulator.endpoint}\n`);
      out.write(
        `  region ${emulator.region}, account ${emulator.accountId}, poll timeout ${options.pollTimeoutMs} ms\n`,
      );
      for (const name of options.activities ?? []) out.write(`  activity ${emulator.activityArn(name)}\n`);
      if (flags.definition !== undefined) {
        const user = loadUserDefinition(flags.definition, (name) => emulator.activityArn(name));
        for (const name of user.activities) {
          if (!(options.activities ?? []).includes(name)) {
            out.write(`  activity ${emulator.createActivity(name)}\n`);
          }
        }
        const arn = await createStateMachine(emulator.endpoint, user.name, user.definition, flags.definition);
        out.write(`  state machine ${arn}\n`);
      }
      if (Object.keys(faults).length > 0) out.write(`  faults ${JSON.stringify(faults)}\n`);
      // Any credentials work, but an SDK client needs some: print a line that can be pasted as it is.
      out.write(
        `  use it with: SFN_ENDPOINT=${emulator.endpoint} AWS_REGION=${emulator.region} ` +
          `AWS_ACCESS_KEY_ID=${DUMMY_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${DUMMY_CREDENTIALS.secretAccessKey}\n` +
          `  (any credentials work; 'sfn-bullmq bridge' and 'dev' use these by themselves for a loopback endpoint when none are set)\n`,
      );
      const signal = await signals.stopped;
      out.write(`${signal}: stopping the emulator\n`);
    } finally {
      await emulator.close();
    }
    return 0;
  } finally {
    signals.dispose();
  }
}
