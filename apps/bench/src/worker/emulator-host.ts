// A child process that hosts the emulator for the worker benchmark, so the
// emulator's CPU is not charged to the worker being measured.
import { startEmulator } from '@sfn-bullmq/emulator';
import { serveParent } from '../child-protocol.js';

export type HostRequest =
  | { id: number; op: 'schedule'; activity: string; count: number; input: string }
  | { id: number; op: 'stats'; activityArn: string }
  | { id: number; op: 'close' };

export interface HostStats {
  succeeded: number;
  failed: number;
  timedOut: number;
  /** This process's CPU time (user + system) since it started, in microseconds. */
  cpuMicros: number;
}

const emulator = await startEmulator({ pollTimeoutMs: 1_000 });

serveParent<HostRequest>(async (request) => {
  switch (request.op) {
    case 'schedule': {
      const activityArn = emulator.createActivity(request.activity);
      for (let i = 0; i < request.count; i += 1) {
        // Outcomes are read from stats; the promise is not needed.
        void emulator.scheduleTask(activityArn, request.input).outcome;
      }
      return activityArn;
    }
    case 'stats': {
      const stats = emulator.stats().activities[request.activityArn];
      const cpu = process.cpuUsage();
      return {
        succeeded: stats?.succeeded ?? 0,
        failed: stats?.failed ?? 0,
        timedOut: stats?.timedOut ?? 0,
        cpuMicros: cpu.user + cpu.system,
      } satisfies HostStats;
    }
    case 'close':
      // The parent then closes the channel, which ends this process.
      await emulator.close();
      return true;
  }
}, emulator.endpoint);
