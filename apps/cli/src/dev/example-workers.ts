// Dev's example workers: `--workers N` separate processes, as users run theirs, each logging to a file.
import { join } from 'node:path';
import type { DevOptions } from './dev-options.js';
import type { Say } from './dev-output.js';
import type { DevStack } from './dev-stack.js';
import { SAMPLE_ACTIVITIES } from './sample-state-machine.js';
import { WorkerProcess } from './worker-process.js';

export interface ExampleWorkersOptions {
  options: DevOptions;
  redisUrl: string;
  /** Region, endpoint and credentials for the workers' own Step Functions client. */
  sfnEnv: Record<string, string>;
  logDir: string;
  /** False once dev is stopping: a worker exiting then is expected. */
  running: () => boolean;
}

export function startExampleWorkers(parts: ExampleWorkersOptions, stack: DevStack, say: Say): void {
  const { options, logDir } = parts;
  for (let i = 0; i < options.workers; i += 1) {
    const worker = new WorkerProcess({
      logFile: join(logDir, `worker-${i + 1}.log`),
      env: {
        ...parts.sfnEnv,
        REDIS_URL: parts.redisUrl,
        QUEUE_RESIZE: SAMPLE_ACTIVITIES.resize,
        QUEUE_CHARGE: SAMPLE_ACTIVITIES.charge,
        CONCURRENCY: String(options.concurrency),
        LOG_LEVEL: options.logLevel,
        // Several workers on one machine: each takes a free port for /metrics and logs it.
        METRICS_HOST: '127.0.0.1',
        METRICS_PORT: '0',
        ...(options.workMs !== undefined ? { WORK_MS: String(options.workMs) } : {}),
      },
    });
    stack.workers.push(worker);
    void worker.onExit().then((code) => {
      if (parts.running()) say(`example worker ${i + 1} exited with code ${code}; see its log in ${logDir}`);
    });
  }
  say(`workers    ${options.workers} example worker process(es), concurrency ${options.concurrency}`);
}
