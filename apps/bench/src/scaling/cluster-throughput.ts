// End-to-end throughput on a Redis Cluster (3 masters + 3 replicas) against one redis-server, in the
// same run and the same process: emulator → bridge → BullMQ → worker → SendTaskSuccess. Printed, never asserted.
//
// Run: pnpm --filter @sfn-bullmq/bench exec tsx src/scaling/cluster-throughput.ts [--size tiny]
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Bridge, type BridgeOptions } from '@sfn-bullmq/bridge';
import { startEmulator, type Emulator } from '@sfn-bullmq/emulator';
import { RedisCluster, RedisServer, until } from '@sfn-bullmq/test-support';
import { ActivityWorker, type ActivityWorkerOptions } from '@sfn-bullmq/worker';
import { pino } from 'pino';
import type { BenchContext, BenchResult } from '../bench-context.js';
import { markdownTable } from '../markdown-table.js';

const CREDENTIALS = { accessKeyId: 'bench', secretAccessKey: 'bench' };
const POLLS = 50;

export interface ClusterThroughputOptions {
  /** 'tiny': one short round each (a smoke test). @default 'default' */
  size?: 'tiny' | 'default';
  log?: (line: string) => void;
}

interface Round {
  target: 'single node' | 'cluster';
  tasks: number;
  seconds: number;
  tasksPerSecond: number;
}

type Target = {
  name: Round['target'];
  bridge: BridgeOptions['connection'];
  worker: ActivityWorkerOptions['connection'];
};

/** One round: a fresh activity and queue, a bridge and a worker, `tasks` tasks at once, timed until all succeed. */
async function runRound(emulator: Emulator, target: Target, tasks: number, index: number): Promise<Round> {
  const name = `cluster-bench-${index}`;
  const arn = emulator.createActivity(name);
  // Its own hash tag, as on any cluster (docs/bullmq-redis.md#redis-cluster); the single node takes it alike.
  const queueName = `{${name}}`;
  const logger = pino({ level: 'silent' });
  const bridge = new Bridge({
    connection: target.bridge,
    prefix: 'bench',
    sfn: { region: 'us-east-1', endpoint: emulator.endpoint, credentials: CREDENTIALS },
    activities: [{ activityArn: arn, queueName, polls: POLLS, maxWaiting: 10_000 }],
    drainTimeoutMs: 5_000,
    logger,
  });
  const worker = new ActivityWorker(queueName, () => null, {
    connection: target.worker,
    prefix: 'bench',
    concurrency: 50,
    sfn: { region: 'us-east-1', endpoint: emulator.endpoint, credentials: CREDENTIALS },
    logger,
  });
  try {
    await Promise.all([bridge.start(), worker.waitUntilReady()]);
    // Timed from open polls, not from start(): opening 50 polls takes seconds on a loaded machine.
    await until(() => emulator.stats().activities[arn]?.openPolls === POLLS, 30_000, `${POLLS} open polls`);
    const started = performance.now();
    const outcomes = Array.from(
      { length: tasks },
      (_, n) => emulator.scheduleTask(arn, `{"n":${n}}`).outcome,
    );
    const closed = await Promise.all(outcomes);
    const seconds = (performance.now() - started) / 1000;
    const failed = closed.filter((o) => o.kind !== 'succeeded').length;
    if (failed > 0) throw new Error(`${failed} of ${tasks} tasks did not succeed on the ${target.name}`);
    return { target: target.name, tasks, seconds, tasksPerSecond: tasks / seconds };
  } finally {
    await worker.close();
    await bridge.close({ force: true });
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Alternates single node and cluster rounds (so drift in the machine's load hits both), then compares medians. */
export async function runClusterThroughput(options: ClusterThroughputOptions = {}): Promise<BenchResult> {
  const log = options.log ?? ((line: string) => console.error(line));
  const tiny = options.size === 'tiny';
  const tasks = tiny ? 200 : 2_000;
  const rounds = tiny ? 1 : 3;
  const emulator = await startEmulator({ pollTimeoutMs: 1_000 });
  const single = await RedisServer.start();
  let cluster: RedisCluster | undefined;
  const results: Round[] = [];
  try {
    cluster = await RedisCluster.start();
    const targets: Target[] = [
      {
        name: 'single node',
        bridge: { host: '127.0.0.1', port: single.port },
        worker: { host: '127.0.0.1', port: single.port, maxRetriesPerRequest: null },
      },
      {
        name: 'cluster',
        bridge: { cluster: { nodes: cluster.nodes } },
        worker: { cluster: { nodes: cluster.nodes } },
      },
    ];
    for (let round = 0; round < rounds; round += 1) {
      for (const target of targets) {
        const result = await runRound(emulator, target, tasks, results.length);
        log(
          `cluster-throughput: ${target.name} round ${round + 1}: ${result.tasksPerSecond.toFixed(0)} tasks/s`,
        );
        results.push(result);
      }
    }
  } finally {
    await cluster?.close();
    await single.close();
    await emulator.close();
  }
  const of = (target: Round['target']) =>
    median(results.filter((r) => r.target === target).map((r) => r.tasksPerSecond));
  const ratio = of('cluster') / of('single node');
  const markdown = [
    `${tasks} tasks per round, scheduled at once once the bridge's polls are open, timed until every task succeeded; one bridge (50 polls) and one worker (concurrency 50, empty ` +
      `handler) with the emulator in one Node process; ${rounds} round(s) per target, alternating. Cluster: 3 ` +
      `masters + 3 replicas on this machine, the queue under its own hash tag (one master serves it).`,
    '',
    markdownTable(
      ['round', 'target', 'tasks', 'seconds', 'tasks/s'],
      results.map((r, i) => [
        String(i + 1),
        r.target,
        String(r.tasks),
        r.seconds.toFixed(2),
        r.tasksPerSecond.toFixed(0),
      ]),
    ),
    '',
    `Median: single node ${of('single node').toFixed(0)} tasks/s, cluster ${of('cluster').toFixed(0)} tasks/s; ` +
      `cluster / single = **${ratio.toFixed(2)}**. Load average at the end: ${(loadavg()[0] ?? 0).toFixed(2)}.`,
  ].join('\n');
  return { title: 'End-to-end throughput: Redis Cluster against one node', markdown, charts: {} };
}

/** For the runner (`pnpm bench --only cluster`): its own Redis and cluster, not the context's. */
export function runClusterThroughputBench(ctx: BenchContext): Promise<BenchResult> {
  return runClusterThroughput({ size: ctx.size, log: ctx.log });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const size = process.argv.includes('--size') ? process.argv[process.argv.indexOf('--size') + 1] : 'default';
  runClusterThroughput({ size: size === 'tiny' ? 'tiny' : 'default' })
    .then((result) => console.log(`## ${result.title}\n\n${result.markdown}`))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
