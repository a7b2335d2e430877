// The emulator in a child process for the bridge benchmark, so the bridge's RSS
// and CPU are its own. Driven over IPC: create activities, schedule tasks, read stats.
// enqueue.ts forks it from the tree it runs in: src/*.ts under tsx, or dist/*.js under plain node.
import { startEmulator } from '@sfn-bullmq/emulator';
import { serveParent } from '../child-protocol.js';

export type EmulatorRequest =
  | { id: number; op: 'createActivities'; names: string[] }
  | { id: number; op: 'schedule'; arn: string; count: number; perSecond?: number }
  | { id: number; op: 'stats' }
  | { id: number; op: 'close' };

const pollTimeoutMs = Number(process.argv[2] ?? '60000');
const emulator = await startEmulator({ pollTimeoutMs });

async function schedule(arn: string, count: number, perSecond: number | undefined): Promise<void> {
  if (perSecond === undefined) {
    for (let i = 0; i < count; i += 1)
      void emulator.scheduleTask(arn, `{"n":${i},"pad":"${'x'.repeat(64)}"}`).outcome;
    return;
  }
  // Paced: a batch every 10 ms.
  const perTick = perSecond / 100;
  let sent = 0;
  const started = Date.now();
  while (sent < count) {
    const due = Math.min(count, Math.floor(((Date.now() - started) / 1000) * perSecond) + perTick);
    for (; sent < due; sent += 1) void emulator.scheduleTask(arn, `{"n":${sent}}`).outcome;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

serveParent<EmulatorRequest>(async (request) => {
  switch (request.op) {
    case 'createActivities':
      return request.names.map((name) => emulator.createActivity(name));
    case 'schedule':
      await schedule(request.arn, request.count, request.perSecond);
      return true;
    case 'stats':
      return emulator.stats().totals;
    case 'close':
      // The parent then closes the channel, which ends this process.
      await emulator.close();
      return true;
  }
}, emulator.endpoint);
