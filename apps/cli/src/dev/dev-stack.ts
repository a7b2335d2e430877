// What `sfn-bullmq dev` starts (Redis, emulator, client, bridge, workers, executions,
// display), held in one place so that one idempotent close() stops it all in order.
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { Emulator } from '@sfn-bullmq/emulator';
import type { RedisServer } from '@sfn-bullmq/local-redis';
import type { Logger } from 'pino';
import type { BridgeService } from '../bridge-service.js';
import type { ExecutionDriver } from './execution-driver.js';
import type { ProgressDisplay } from './progress-display.js';
import type { UserWorkers } from './user-workers.js';
import type { WorkerProcess } from './worker-process.js';

/** Everything dev mode started, closed in reverse order of dependence. */
export class DevStack {
  redis: RedisServer | undefined;
  emulator: Emulator | undefined;
  sfnClient: SFNClient | undefined;
  service: BridgeService | undefined;
  workers: WorkerProcess[] = [];
  /** `--worker`'s handlers, run in this process. */
  userWorkers: UserWorkers | undefined;
  driver: ExecutionDriver | undefined;
  display: ProgressDisplay | undefined;

  private closing: Promise<void> | undefined;

  constructor(private readonly logger: Logger) {}

  close(): Promise<void> {
    this.closing ??= this.closeSteps();
    return this.closing;
  }

  private async closeSteps(): Promise<void> {
    const steps: Array<[string, () => unknown]> = [
      ['executions', () => this.driver?.close()],
      ['bridge', () => this.service?.close()],
      ['workers', () => Promise.all(this.workers.map((worker) => worker.close()))],
      ['user workers', () => this.userWorkers?.close()],
      ['client', () => this.sfnClient?.destroy()],
      ['emulator', () => this.emulator?.close()],
      ['redis', () => this.redis?.close()],
    ];
    for (const [name, step] of steps) {
      try {
        await step();
      } catch (error) {
        this.logger.error({ err: error, step: name }, 'a stop step failed; going on with the others');
      }
    }
  }
}

/** Tokens the embedded emulator handed out that no one reported on: the dev summary shows them. */
export function lostTokens(emulator: Emulator): number {
  return Object.values(emulator.stats().activities).reduce((sum, a) => sum + a.lostTokens.total, 0);
}
