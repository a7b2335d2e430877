// What every benchmark gets from the runner: the size, a private Redis, three child
// processes to place roles in, and a progress logger.
import { RedisServer } from '@sfn-bullmq/test-support';
import { Redis } from 'ioredis';
import { BenchProcess } from './bench-process.js';

export type BenchSize = 'tiny' | 'default';

export interface BenchResult {
  /** Section title in RESULTS.md. */
  title: string;
  /** Markdown: how it was measured, tables, conclusions. */
  markdown: string;
  /** SVG charts by file name. */
  charts: Record<string, string>;
}

export class BenchContext {
  private constructor(
    readonly size: BenchSize,
    readonly redis: RedisServer,
    readonly redisClient: Redis,
    /** Hosts the emulator and the task driver. */
    readonly emulatorProcess: BenchProcess,
    /** Hosts the bridge, or the peer/baseline poller, or the BullMQ driver. */
    readonly bridgeProcess: BenchProcess,
    /** Hosts the worker. */
    readonly workerProcess: BenchProcess,
    readonly log: (line: string) => void,
  ) {}

  static async start(size: BenchSize, log: (line: string) => void): Promise<BenchContext> {
    const redis = await RedisServer.start();
    const client = new Redis(redis.port, '127.0.0.1', { maxRetriesPerRequest: null, lazyConnect: false });
    const processes = await Promise.all(['emulator', 'bridge', 'worker'].map((n) => BenchProcess.start(n)));
    return new BenchContext(size, redis, client, processes[0]!, processes[1]!, processes[2]!, log);
  }

  get processes(): BenchProcess[] {
    return [this.workerProcess, this.emulatorProcess, this.bridgeProcess];
  }

  /** Closes every role in every child (worker first, then the emulator so open polls end, then the bridge) and empties Redis. */
  async resetAll(): Promise<void> {
    for (const child of this.processes) await child.reset();
    await this.redisClient.flushall();
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.processes.map((p) => p.close()));
    this.redisClient.disconnect();
    await this.redis.close();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
