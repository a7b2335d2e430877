// The user's handlers run in dev's own process, one ActivityWorker per activity on the queue of its name:
// the module is loaded once, so a bad module fails at start with its error here, not in a worker's log.
import type { SfnConnectionOptions } from '@sfn-bullmq/protocol';
import { ActivityWorker } from '@sfn-bullmq/worker';
import type { Logger } from 'pino';
import type { UserHandlers } from './user-handlers.js';

export interface UserWorkersOptions {
  handlers: UserHandlers;
  redisUrl: string;
  sfn: SfnConnectionOptions;
  concurrency: number;
  logger: Logger;
}

export class UserWorkers {
  private readonly workers: ActivityWorker[];
  private closing: Promise<void> | undefined;

  constructor(options: UserWorkersOptions) {
    this.workers = [...options.handlers].map(
      ([activity, handler]) =>
        new ActivityWorker(activity, handler, {
          connection: { url: options.redisUrl },
          sfn: options.sfn,
          concurrency: options.concurrency,
          logger: options.logger.child({ worker: activity }),
        }),
    );
    for (const worker of this.workers) {
      worker.on('error', (error: unknown) =>
        options.logger.error({ err: error, queue: worker.queueName }, 'worker error'),
      );
    }
  }

  async waitUntilReady(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.waitUntilReady()));
  }

  /** Lets running handlers finish; every worker is closed even when one fails. Idempotent. */
  close(): Promise<void> {
    this.closing ??= Promise.allSettled(this.workers.map((worker) => worker.close())).then(() => undefined);
    return this.closing;
  }
}
