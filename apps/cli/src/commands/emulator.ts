// `sfn-bullmq emulator`: the Step Functions activity emulator as a process,
// printing its endpoint and the ARNs it created; stops on SIGINT/SIGTERM.
import { startEmulator, type EmulatorOptions } from '@sfn-bullmq/emulator';
import { waitForStopSignal } from '../signals.js';
import { numberFlag, optionalNumberFlag, parseFlags } from '../usage-error.js';

export const EMULATOR_HELP = `Usage: sfn-bullmq emulator [options]

Runs the Step Functions emulator on HTTP: activities (GetActivityTask long polls,
SendTask*), state machines and executions, with fault injection. Point the AWS
SDK (or a bridge's SFN_ENDPOINT) at the endpoint it prints; any credentials work.

Options:
  --port N                 TCP port, 0 for a free one (default 8083)
  --host ADDR              interface to listen on (default 127.0.0.1)
  --region R               region in ARNs (default us-east-1)
  --account-id ID          12-digit account id in ARNs (default 123456789012)
  --poll-timeout-ms MS     how long a GetActivityTask is held (default 60000, as AWS)
  --activity NAME          create this activity at start (repeatable)
  --drop-rate P            fault: share of token deliveries never answered, 0–1: the task
                           starts and its token is lost (default 0)
  --stall-followers K      fault: polls frozen behind each dropped one until its deadline (default 10)
  --latency-ms MS          fault: added latency per call (default 0)
  --error-rate P           fault: share of calls answered HTTP 500 or 503, 0–1 (default 0)
  --throttle               token buckets per API with AWS's default limits
  -h, --help               show this help

SIGINT/SIGTERM stop it and exit 0.
`;

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
    const emulator = await startEmulator(options);
    try {
      const out = process.stdout;
      out.write(`sfn-bullmq emulator listening on ${emulator.endpoint}\n`);
      out.write(
        `  region ${emulator.region}, account ${emulator.accountId}, poll timeout ${options.pollTimeoutMs} ms\n`,
      );
      for (const name of options.activities ?? []) out.write(`  activity ${emulator.activityArn(name)}\n`);
      if (Object.keys(faults).length > 0) out.write(`  faults ${JSON.stringify(faults)}\n`);
      out.write(`  use it with: SFN_ENDPOINT=${emulator.endpoint} AWS_REGION=${emulator.region}\n`);
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
