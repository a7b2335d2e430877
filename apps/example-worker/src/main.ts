// The example worker service: config from the environment, one ActivityWorker
// per handler, pino logs, /metrics /healthz /readyz, graceful stop on SIGTERM/SIGINT (a second signal forces).
import { ActivityWorker } from '@sfn-bullmq/worker';
import { WorkerMetrics } from '@sfn-bullmq/worker/metrics';
import { pino } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { ConfigError, loadConfig, workerOptionsOf, type ExampleWorkerConfig } from './config.js';
import { createHandlers } from './handlers.js';
import { HealthServer } from './health-server.js';
import { loadHttpConfig, type HttpConfig } from './http-config.js';

/** An emulator does not check signatures: without AWS credentials in the environment, sign with dummies. */
function needsDummyCredentials(config: ExampleWorkerConfig): boolean {
  return (
    config.sfnEndpoint !== undefined &&
    process.env['AWS_ACCESS_KEY_ID'] === undefined &&
    process.env['AWS_PROFILE'] === undefined
  );
}

async function main(): Promise<void> {
  let config: ExampleWorkerConfig;
  let http: HttpConfig;
  try {
    config = loadConfig(process.env);
    http = loadHttpConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const issue of error.issues)
        process.stderr.write(`example-worker: ${issue.variable}: ${issue.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const log = pino({ name: 'example-worker', level: config.logLevel });
  // The options loadConfig checked; ioredis reads the whole URL (credentials, /db, rediss:// TLS, [IPv6] hosts).
  // The app owns the registry: the worker's metrics and the process's (docs/observability.md#worker-metrics).
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = new WorkerMetrics(registry);
  const common = { ...workerOptionsOf(config), logger: log, observers: [metrics.observer] };
  if (needsDummyCredentials(config)) {
    // Rather than let the SDK's provider chain fail (or probe instance metadata) on every call.
    common.sfn = { ...common.sfn, credentials: { accessKeyId: 'emulator', secretAccessKey: 'emulator' } };
    log.info(
      { endpoint: config.sfnEndpoint },
      'no AWS credentials in the environment: using dummy ones for the endpoint',
    );
  }
  const handlers = createHandlers({ workMs: config.workMs });
  const workers = [
    new ActivityWorker(config.queueResize, handlers.resizeImage, common),
    new ActivityWorker(config.queueCharge, handlers.chargeCard, common),
  ];
  const health = new HealthServer({ ...http, registry, workers });

  let signals = 0;
  const stop = (signal: NodeJS.Signals): void => {
    signals += 1;
    const force = signals > 1;
    log.info(
      { signal, force },
      force ? 'second signal: forcing shutdown' : 'stopping: letting running tasks finish',
    );
    // Readiness turns 503 first, so no new traffic is routed here while the workers drain.
    Promise.all([health.close(), ...workers.map((worker) => worker.close({ force }))])
      .then(() => {
        log.info('stopped');
        process.exit(force ? 1 : 0);
      })
      .catch((error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  const url = await health.start();
  log.info({ metrics: `${url}/metrics`, readyz: `${url}/readyz` }, 'health and metrics listening');
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));
  log.info(
    {
      queues: [config.queueResize, config.queueCharge],
      concurrency: config.concurrency,
      endpoint: config.sfnEndpoint,
    },
    'example worker ready',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `example-worker: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
