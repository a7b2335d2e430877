// The /metrics registry: the bridge's own metrics, BullMQ job counts per queue
// (read from Redis on each scrape) and the process's default metrics.
import type { Queue } from 'bullmq';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** Job states counted per queue on each scrape. */
const COUNTED_JOB_STATES = ['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed'] as const;

/** A registry with the queue gauge and default metrics; the bridge adds its own metrics to it. */
export function createServiceRegistry(queues: readonly Queue[], onError: (error: unknown) => void): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'sfn_bullmq_queue_jobs',
    help: 'BullMQ jobs per queue and state, read from Redis at scrape time.',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      // One failing queue (Redis down) must not hide the bridge metrics: skip it and count on the next scrape.
      await Promise.all(
        queues.map(async (queue) => {
          try {
            const counts = await withTimeout(queue.getJobCounts(...COUNTED_JOB_STATES), 2_000);
            for (const state of COUNTED_JOB_STATES)
              this.set({ queue: queue.name, state }, counts[state] ?? 0);
          } catch (error) {
            onError(error);
          }
        }),
      );
    },
  });
  return registry;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Redis within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
