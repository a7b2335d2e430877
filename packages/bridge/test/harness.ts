// Test harness: an emulator, a bridge pointed at it, and a plain BullMQ Queue to
// look at what landed in Redis. Every resource is closed by `closeAll()`.
import { startEmulator, type Emulator, type EmulatorOptions } from '@sfn-bullmq/emulator';
import type { ActivityJobData } from '@sfn-bullmq/protocol';
import { uniqueName } from '@sfn-bullmq/test-support';
import { Queue, type ConnectionOptions } from 'bullmq';
import { pino } from 'pino';
import { Bridge, type ActivityPollerOptions, type BridgeOptions } from '../src/index.js';

export const CREDENTIALS = { accessKeyId: 'x', secretAccessKey: 'x' };

export { until } from '@sfn-bullmq/test-support';

export class Harness {
  private readonly cleanups: (() => Promise<unknown>)[] = [];
  emulator!: Emulator;
  readonly prefix = uniqueName('bull');

  async startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
    this.emulator = await startEmulator({ pollTimeoutMs: 1000, ...options });
    this.cleanups.push(() => this.emulator.close());
    return this.emulator;
  }

  /** A fresh activity on the emulator with a unique name. */
  activity(prefix = 'act'): string {
    return this.emulator.createActivity(uniqueName(prefix));
  }

  /** `redis` is a URL, or connection options such as `{ cluster: { nodes } }`. */
  bridge(
    redis: string | BridgeOptions['connection'],
    activities: ActivityPollerOptions[],
    options: Partial<BridgeOptions> = {},
  ): Bridge {
    const bridge = new Bridge({
      connection: typeof redis === 'string' ? { url: redis } : redis,
      prefix: this.prefix,
      sfn: { region: 'us-east-1', endpoint: this.emulator.endpoint, credentials: CREDENTIALS },
      workerName: 'bridge-test',
      activities,
      drainTimeoutMs: 10_000,
      // The bridge logs at info by default; the tests read state, not logs.
      logger: pino({ level: 'silent' }),
      ...options,
    });
    this.cleanups.push(() => bridge.close({ force: true }));
    return bridge;
  }

  /** `redis` is a URL or a client (an ioredis `Cluster` for a cluster, which BullMQ takes only as a client). */
  queue(redis: string | ConnectionOptions, name: string): Queue<ActivityJobData> {
    const connection = typeof redis === 'string' ? { url: redis } : redis;
    const queue = new Queue<ActivityJobData>(name, { connection, prefix: this.prefix });
    queue.on('error', () => undefined);
    this.cleanups.push(() => queue.close());
    return queue;
  }

  stats(arn: string) {
    const stats = this.emulator.stats().activities[arn];
    if (stats === undefined) throw new Error(`no stats for ${arn}`);
    return stats;
  }

  /** Jobs of the queue in any state. */
  async jobCount(queue: Queue<ActivityJobData>): Promise<number> {
    const counts = await queue.getJobCounts(
      'waiting',
      'active',
      'completed',
      'failed',
      'delayed',
      'prioritized',
    );
    return Object.values(counts).reduce((sum, n) => sum + n, 0);
  }

  onClose(cleanup: () => Promise<unknown>): void {
    this.cleanups.push(cleanup);
  }

  async closeAll(): Promise<void> {
    // Last opened, first closed: bridges before the emulator and Redis they use.
    for (const cleanup of this.cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch {
        // keep closing the rest
      }
    }
  }
}
