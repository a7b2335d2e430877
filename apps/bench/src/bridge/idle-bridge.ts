// The bridge process of the idle benchmark in enqueue.ts: it holds one Bridge and nothing of the
// harness, so its RSS and CPU are the bridge's own. enqueue.ts always forks the compiled file
// (dist/bridge/idle-bridge.js) under plain node, as users run the bridge from dist; under tsx the
// loader and transpiler alone would add tens of MB to the figure.
// It imports only node built-ins and the IPC loop (child-protocol.ts, which imports nothing) at start,
// and @sfn-bullmq/bridge when asked to start, so the parent can read the process's RSS before and
// after the bridge is loaded.
import { performance } from 'node:perf_hooks';
// A type-only import is erased from the emitted JS; the module itself is imported by 'start',
// after the baseline reading.
import type { Bridge } from '@sfn-bullmq/bridge';
import { serveParent } from '../child-protocol.js';

export type IdleBridgeRequest =
  | {
      id: number;
      op: 'start';
      endpoint: string;
      redisUrl: string;
      prefix: string;
      activityArns: string[];
      polls: number;
    }
  | { id: number; op: 'usage' }
  | { id: number; op: 'close' };

export interface IdleBridgeUsage {
  rss: number;
  cpu: { user: number; system: number };
  /** performance.now() in this process, for the wall time between two readings. */
  at: number;
}

let bridge: Bridge | undefined;

function usage(): IdleBridgeUsage {
  return { rss: process.memoryUsage().rss, cpu: process.cpuUsage(), at: performance.now() };
}

async function handle(request: IdleBridgeRequest): Promise<unknown> {
  switch (request.op) {
    case 'start': {
      if (bridge !== undefined) throw new Error('bridge already started');
      const bridgeModule = await import('@sfn-bullmq/bridge');
      bridge = new bridgeModule.Bridge({
        connection: { url: request.redisUrl },
        prefix: request.prefix,
        sfn: {
          region: 'us-east-1',
          endpoint: request.endpoint,
          credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
        },
        activities: request.activityArns.map((activityArn) => ({ activityArn, polls: request.polls })),
      });
      await bridge.start();
      return { state: bridge.state };
    }
    case 'usage':
      return usage();
    case 'close':
      await bridge?.close({ force: true });
      bridge = undefined;
      return true;
  }
}

serveParent(handle);
