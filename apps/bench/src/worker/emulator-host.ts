// A child process that hosts the emulator for the worker benchmark, so the
// emulator's CPU is not charged to the worker being measured.
import { startEmulator } from '@sfn-bullmq/emulator';

export type HostRequest =
  | { type: 'schedule'; activity: string; count: number; input: string }
  | { type: 'stats'; activityArn: string }
  | { type: 'close' };

export type HostMessage =
  | { type: 'ready'; endpoint: string }
  | { type: 'scheduled'; activityArn: string }
  | { type: 'stats'; succeeded: number; failed: number; timedOut: number; cpuMicros: number }
  | { type: 'error'; message: string };

const emulator = await startEmulator({ pollTimeoutMs: 1_000 });
const send = (message: HostMessage): void => void process.send?.(message);

process.on('message', (request: HostRequest) => {
  try {
    switch (request.type) {
      case 'schedule': {
        const activityArn = emulator.createActivity(request.activity);
        for (let i = 0; i < request.count; i += 1) {
          // Outcomes are read from stats; the promise is not needed.
          void emulator.scheduleTask(activityArn, request.input).outcome;
        }
        send({ type: 'scheduled', activityArn });
        break;
      }
      case 'stats': {
        const stats = emulator.stats().activities[request.activityArn];
        const cpu = process.cpuUsage();
        send({
          type: 'stats',
          succeeded: stats?.succeeded ?? 0,
          failed: stats?.failed ?? 0,
          timedOut: stats?.timedOut ?? 0,
          cpuMicros: cpu.user + cpu.system,
        });
        break;
      }
      case 'close':
        void emulator.close().finally(() => process.exit(0));
        break;
    }
  } catch (error) {
    send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
});
send({ type: 'ready', endpoint: emulator.endpoint });
