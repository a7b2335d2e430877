// `sfn-bullmq bridge --config FILE`: the bridge as a long-running service until
// SIGINT/SIGTERM; the first signal drains, a second one forces the stop.
import { boardCredentialsFromEnv } from '../board-credentials.js';
import { BridgeService } from '../bridge-service.js';
import { loadConfig } from '../config/load-config.js';
import { createLogger } from '../logger.js';
import { waitForStopSignal } from '../signals.js';
import { UsageError, parseFlags } from '../usage-error.js';

export const BRIDGE_HELP = `Usage: sfn-bullmq bridge --config FILE

Runs the bridge: keeps long GetActivityTask polls open for each activity in the
config file and turns every task token into one BullMQ job. Serves /metrics,
/healthz, /readyz and Bull Board at /admin/queues.

Options:
  -c, --config FILE   the config file (YAML or JSON); 'sfn-bullmq init' writes a starter
  -h, --help          show this help

Environment (overrides the file): REDIS_URL, AWS_REGION, SFN_ENDPOINT, PORT, HTTP_HOST, LOG_LEVEL.
BOARD_USER and BOARD_PASSWORD turn on Basic auth for the dashboard (required when
listening beyond loopback). Step Functions credentials come from the standard AWS chain.

SIGINT/SIGTERM: /readyz turns 503, open polls drain and their tokens are stored,
then the process exits 0. A second signal stops without waiting (exit code 130).
`;

export async function runBridgeCommand(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, {
    config: { type: 'string', short: 'c' },
    help: { type: 'boolean', short: 'h' },
  });
  if (flags.help === true) {
    process.stdout.write(BRIDGE_HELP);
    return 0;
  }
  if (flags.config === undefined) throw new UsageError('--config FILE is required');

  const config = await loadConfig(flags.config, process.env);
  const boardCredentials = boardCredentialsFromEnv(process.env);
  const logger = createLogger(config.logLevel);

  let service: BridgeService | undefined;
  let forced = false;
  const signals = waitForStopSignal((signal) => {
    forced = true;
    logger.warn({ signal }, 'second signal: stopping without waiting for open polls');
    void service?.close({ force: true });
  });
  try {
    service = await BridgeService.start({
      config,
      logger,
      ...(boardCredentials ? { boardCredentials } : {}),
    });
    // Runs until a signal; a bridge that cannot start (e.g. a bad activity) ends it with its error.
    const failed = service.started.then(() => new Promise<never>(() => undefined));
    const signal = await Promise.race([signals.stopped, failed]);
    logger.info({ signal }, `${signal}: draining (a second signal forces the stop)`);
    await service.close();
    logger.info({ forced }, 'stopped');
    // 130 as shells report an interrupted program: a forced stop may have left polls open on the service.
    return forced ? 130 : 0;
  } catch (error) {
    await service?.close({ force: true });
    throw error;
  } finally {
    signals.dispose();
  }
}
