// The emulator in a child process for the bridge benchmark, so the bridge's RSS
// and CPU are its own. Driven over IPC: create activities, schedule tasks, read stats.
// enqueue.ts forks it from the tree it runs in: src/*.ts under tsx, or dist/*.js under plain node.
import { startEmulator } from '@sfn-bullmq/emulator';
import type { IpcReply } from './ipc-child.js';

export type EmulatorRequest =
  | { id: number; op: 'createActivities'; names: string[] }
  | { id: number; op: 'schedule'; arn: string; count: number; perSecond?: number }
  | { id: number; op: 'stats' }
  | { id: number; op: 'close' };

const pollTimeoutMs = Number(process.argv[2] ?? '60000');
const emulator = await startEmulator({ pollTimeoutMs });

function reply(id: number, result: unknown): void {
  process.send?.({ id, ok: true, result } satisfies IpcReply);
}

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

process.on('message', (message: EmulatorRequest) => {
  (async () => {
    switch (message.op) {
      case 'createActivities':
        reply(
          message.id,
          message.names.map((name) => emulator.createActivity(name)),
        );
        break;
      case 'schedule':
        await schedule(message.arn, message.count, message.perSecond);
        reply(message.id, true);
        break;
      case 'stats':
        reply(message.id, emulator.stats().totals);
        break;
      case 'close':
        await emulator.close();
        // The parent then closes the channel, which ends this process (below).
        reply(message.id, true);
        break;
    }
  })().catch((error: unknown) =>
    process.send?.({
      id: message.id,
      ok: false,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    } satisfies IpcReply),
  );
});
// The parent going away ends this process too, so held polls never outlive the benchmark.
process.on('disconnect', () => process.exit(0));

process.send?.({ id: 0, ok: true, result: emulator.endpoint } satisfies IpcReply);
