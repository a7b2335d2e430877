// A child process of the scaling benchmark: one bridge (`Bridge`) or one worker (`ActivityWorker`
// whose handler burns a fixed amount of CPU), configured by env, stopped by SIGTERM.
//
// Env: ROLE ('bridge' | 'worker'), REDIS_URL, SFN_ENDPOINT, ACTIVITY_ARN, QUEUE, PREFIX, NAME;
// bridge: POLLS; worker: CPU_MS, CONCURRENCY.
import { Bridge } from '@sfn-bullmq/bridge';
import { ActivityWorker } from '@sfn-bullmq/worker';
import { pino } from 'pino';

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`scaling child: ${name} is required`);
  return value;
}

const redis = new URL(env('REDIS_URL'));
const connection = { host: redis.hostname, port: Number(redis.port), maxRetriesPerRequest: null };
const sfn = {
  endpoint: env('SFN_ENDPOINT'),
  region: 'us-east-1',
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
};
const logger = pino({ level: 'warn' });

let close: () => Promise<void>;
if (env('ROLE') === 'bridge') {
  const bridge = new Bridge({
    connection,
    prefix: env('PREFIX'),
    sfn,
    workerName: env('NAME'),
    activities: [{ activityArn: env('ACTIVITY_ARN'), queueName: env('QUEUE'), polls: Number(env('POLLS')) }],
    logger,
  });
  await bridge.start();
  close = () => bridge.close({ force: true });
} else {
  const cpuMs = Number(env('CPU_MS'));
  const worker = new ActivityWorker(
    env('QUEUE'),
    () => {
      // Fixed CPU work per task, so throughput is bounded by cores, not by waiting.
      const until = performance.now() + cpuMs;
      let spins = 0;
      while (performance.now() < until) spins += 1;
      return { spins };
    },
    { connection, prefix: env('PREFIX'), sfn, concurrency: Number(env('CONCURRENCY')), logger },
  );
  await worker.waitUntilReady();
  close = () => worker.close({ force: true });
}

process.once('SIGTERM', () => {
  void close().finally(() => process.exit(0));
});
process.stdout.write('ready\n');
