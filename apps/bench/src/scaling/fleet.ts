// The fleet's figures: how long bridges on one ARN take to rebalance their shared poll budget after a
// join and after a kill -9, and what the coordination costs Redis at rest (INFO commandstats deltas,
// fleet on against fleet off in the same run). Printed, never asserted.
//
// Run: pnpm --filter @sfn-bullmq/bench exec tsx src/scaling/fleet.ts
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator, type Emulator } from '@sfn-bullmq/emulator';
import { RedisServer, until } from '@sfn-bullmq/test-support';
import { Redis } from 'ioredis';

const CLI = fileURLToPath(new URL('../../../cli/bin/sfn-bullmq.js', import.meta.url));
const ACTIVITY = 'fleet-bench';
const BUDGET = 300;
const POLLS = 200;
/** Scaled down from AWS (60 s hold, 15 s default lease) so a run takes a minute; the ratios carry over. */
const POLL_TIMEOUT_MS = 3_000;
const LEASE_TTL_MS = 3_000;
const REST_WINDOW_MS = 10_000;

interface BridgeProcess {
  name: string;
  child: ChildProcess;
  url: Promise<string>;
}

class Fleet {
  private count = 0;
  readonly bridges: BridgeProcess[] = [];

  constructor(
    private readonly dir: string,
    private readonly redisUrl: string,
    private readonly emulator: Emulator,
  ) {}

  start(options: { fleet: boolean; polls: number }): BridgeProcess {
    this.count += 1;
    const name = `bench-bridge-${this.count}`;
    const file = join(this.dir, `${name}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        workerName: name,
        logLevel: 'info',
        redis: { url: this.redisUrl, prefix: '{bench}' },
        stepFunctions: { region: 'us-east-1', endpoint: this.emulator.endpoint },
        http: { host: '127.0.0.1', port: 0, board: { enabled: false } },
        fleet: { enabled: options.fleet, leaseTtlMs: LEASE_TTL_MS, pollHoldMs: POLL_TIMEOUT_MS },
        activities: [{ arn: this.emulator.activityArn(ACTIVITY), polls: options.polls, fleetPolls: BUDGET }],
      }),
    );
    const child = spawn(process.execPath, [CLI, 'bridge', '--config', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: 'bench',
        AWS_SECRET_ACCESS_KEY: 'bench',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
    });
    const url = new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        const match = /HTTP on (http:\/\/[\d.:]+)/.exec(out);
        if (match?.[1] !== undefined) resolve(match[1]);
      });
      child.stderr.resume();
      child.on('exit', (code, signal) => reject(new Error(`${name} exited (${signal ?? code})`)));
    });
    url.catch(() => undefined);
    const bridge = { name, child, url };
    this.bridges.push(bridge);
    return bridge;
  }

  async share(bridge: BridgeProcess): Promise<number> {
    const body = (await (await fetch(`${await bridge.url}/readyz`)).json()) as {
      status: { activities: { fleet?: { sharePolls: number } }[] };
    };
    return body.status.activities[0]?.fleet?.sharePolls ?? -1;
  }

  /** Waits until every live bridge holds `share` and the emulator sees them all open; the ms it took. */
  async settle(share: number, timeoutMs = 120_000): Promise<number> {
    const started = Date.now();
    const arn = this.emulator.activityArn(ACTIVITY);
    await until(
      async () => {
        const shares = await Promise.all(this.bridges.map((b) => this.share(b)));
        return (
          shares.every((n) => n === share) &&
          this.emulator.stats().activities[arn]?.openPolls === share * this.bridges.length
        );
      },
      { what: `every bridge at ${share}`, timeoutMs, intervalMs: 50, retryOnError: true },
    );
    return Date.now() - started;
  }

  kill9(bridge: BridgeProcess): void {
    bridge.child.kill('SIGKILL');
    this.bridges.splice(this.bridges.indexOf(bridge), 1);
  }

  async stopAll(): Promise<void> {
    await Promise.all(
      this.bridges.splice(0).map(
        (b) =>
          new Promise<void>((resolve) => {
            if (b.child.exitCode !== null || b.child.signalCode !== null) return resolve();
            b.child.once('exit', () => resolve());
            b.child.kill('SIGTERM');
          }),
      ),
    );
  }
}

/** Commands Redis ran (INFO commandstats, scripts' inner calls included), by command. */
async function commandCounts(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  const counts = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
    counts.set(match[1]!, Number(match[2]));
  return counts;
}

/** Commands per second over `ms` at rest, without the INFO calls of the measure itself. */
async function restRate(redis: Redis, ms: number): Promise<{ total: number; evalsha: number }> {
  const before = await commandCounts(redis);
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = await commandCounts(redis);
  let total = 0;
  for (const [name, calls] of after) if (name !== 'info') total += calls - (before.get(name) ?? 0);
  const evalsha = (after.get('evalsha') ?? 0) - (before.get('evalsha') ?? 0);
  return { total: (total * 1000) / ms, evalsha: (evalsha * 1000) / ms };
}

export async function runFleetBench(
  log: (line: string) => void = (line) => console.error(line),
): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'sfn-bench-fleet-'));
  const redisServer = await RedisServer.start();
  const redis = new Redis(redisServer.url);
  const emulator = await startEmulator({
    port: 0,
    pollTimeoutMs: POLL_TIMEOUT_MS,
    maxPollsPerActivity: BUDGET,
  });
  emulator.createActivity(ACTIVITY);
  const fleet = new Fleet(dir, redisServer.url, emulator);
  const arn = emulator.activityArn(ACTIVITY);
  try {
    log('fleet: 3 bridges');
    await Promise.all([0, 1, 2].map(() => fleet.start({ fleet: true, polls: POLLS }).url));
    await fleet.settle(100);
    log('fleet: at rest');
    const restOn = await restRate(redis, REST_WINDOW_MS);

    log('fleet: a fourth bridge joins');
    const joiner = fleet.start({ fleet: true, polls: POLLS });
    await joiner.url;
    const joinMs = await fleet.settle(75);

    log('fleet: kill -9 of one');
    fleet.kill9(fleet.bridges[0]!);
    const killMs = await fleet.settle(100);
    const refused = emulator.stats().activities[arn]?.workerLimitRefused ?? 0;
    const peak = emulator.stats().activities[arn]?.openPollsPeak ?? 0;
    await fleet.stopAll();

    log('fleet off: 3 bridges at rest');
    await Promise.all([0, 1, 2].map(() => fleet.start({ fleet: false, polls: 100 }).url));
    await until(() => emulator.stats().activities[arn]?.openPolls === 300, {
      what: '300 open polls',
      timeoutMs: 60_000,
      intervalMs: 50,
    });
    const restOff = await restRate(redis, REST_WINDOW_MS);
    await fleet.stopAll();

    const bound = LEASE_TTL_MS + POLL_TIMEOUT_MS;
    const cost = restOn.total - restOff.total;
    return [
      `Bridges as \`sfn-bullmq bridge\` processes on one private Redis, the emulator in the bench process with ` +
        `\`maxPollsPerActivity\` ${BUDGET} (every overshoot would be refused and counted). Budget (\`fleetPolls\`) ` +
        `${BUDGET}, ${POLLS} polls per bridge, lease ${LEASE_TTL_MS} ms (renewed every ${LEASE_TTL_MS / 3} ms), ` +
        `poll hold ${POLL_TIMEOUT_MS} ms (scaled down from AWS's 60 s). Times run from the joining bridge's HTTP ` +
        `being up, or from the kill, until every bridge reports its new share and the emulator sees the whole ` +
        `budget open.`,
      '',
      '| measure | value |',
      '| --- | --- |',
      `| rebalance after a join (3 → 4 bridges, 100 → 75 each) | ${(joinMs / 1000).toFixed(2)} s (${(joinMs / POLL_TIMEOUT_MS).toFixed(2)} poll holds) |`,
      `| rebalance after a kill -9 (4 → 3 bridges, 75 → 100 each) | ${(killMs / 1000).toFixed(2)} s (bound: lease + poll hold = ${(bound / 1000).toFixed(1)} s; ratio ${(killMs / bound).toFixed(2)}) |`,
      `| polls refused with ActivityWorkerLimitExceeded / most open at once | ${refused} / ${peak} |`,
      `| Redis commands/s at rest, 3 bridges, fleet on | ${restOn.total.toFixed(1)} (of them EVALSHA ${restOn.evalsha.toFixed(1)}) |`,
      `| Redis commands/s at rest, 3 bridges, fleet off | ${restOff.total.toFixed(1)} |`,
      `| coordination cost at rest (on − off) | ${cost.toFixed(1)} commands/s, ${(cost / 3).toFixed(1)} per bridge (scripts' inner calls counted) |`,
      '',
      `At the default 15 s lease a bridge renews every 5 s: ${((cost / 3) * (LEASE_TTL_MS / 15_000)).toFixed(2)} ` +
        `commands/s per bridge and ARN by the same count.`,
    ].join('\n');
  } finally {
    await fleet.stopAll();
    await emulator.close();
    redis.disconnect();
    await redisServer.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.stdout.write(`${await runFleetBench()}\n`);
}
