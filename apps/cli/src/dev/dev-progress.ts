// What dev's progress line shows, read from the execution driver, the bridge and its queues.
import type { BridgeService } from '../bridge-service.js';
import type { ExecutionDriver } from './execution-driver.js';
import type { ProgressSnapshot } from './progress-display.js';

/** A snapshot function for `ProgressDisplay`; elapsed time counts from this call. */
export function devProgress(
  driver: ExecutionDriver,
  service: BridgeService,
): () => Promise<ProgressSnapshot> {
  const startedAt = Date.now();
  return async () => {
    const counts = driver.stats();
    const status = service.bridge.status();
    const jobCounts = await Promise.all(
      service.queues.map((queue) => queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active')),
    );
    return {
      elapsedMs: Date.now() - startedAt,
      started: counts.started,
      succeeded: counts.succeeded,
      declined: counts.declined,
      failed: counts.failed + counts.timedOut + counts.aborted,
      running: counts.running,
      waiting: jobCounts.reduce(
        (sum, c) => sum + (c.waiting ?? 0) + (c.prioritized ?? 0) + (c.delayed ?? 0),
        0,
      ),
      active: jobCounts.reduce((sum, c) => sum + (c.active ?? 0), 0),
      openPolls: status.activities.reduce((sum, a) => sum + a.openPolls, 0),
    };
  };
}
