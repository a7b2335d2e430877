// One fault scenario on real processes: a private redis-server, the emulator and bridges
// through the sfn-bullmq CLI, worker fixture processes; executions through the SDK; then a
// check of every execution, handler runs per task and lost tokens, summed up as a result row.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import type { ActivityStats, EmulatorStats } from '@sfn-bullmq/emulator';
import { RedisCluster, RedisServer, sleep, until } from '@sfn-bullmq/test-support';
import { Queue } from 'bullmq';
import { Cluster } from 'ioredis';
import { ChildProcesses, type Child } from './child-processes.js';
import type { ResultRow } from './results.js';

const CLI = fileURLToPath(new URL('../../../../apps/cli/bin/sfn-bullmq.js', import.meta.url));
const WORKER_FIXTURE = fileURLToPath(new URL('../fixtures/worker.ts', import.meta.url));
const EMULATOR_FIXTURE = fileURLToPath(new URL('../fixtures/emulator.ts', import.meta.url));
const E2E_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'e2e', AWS_SECRET_ACCESS_KEY: 'e2e', AWS_REGION: 'us-east-1' };

export interface TaskClocks {
  /** Task state's TimeoutSeconds. */
  timeoutSeconds: number;
  /** Task state's HeartbeatSeconds (smaller than timeoutSeconds). */
  heartbeatSeconds: number;
  /** MaxAttempts of the Retry on States.Timeout that recovers a lost token. */
  retryAttempts: number;
}

export interface ScenarioOptions {
  scenario: string;
  title: string;
  /** The emulator's GetActivityTask hold. @default 1500 */
  pollTimeoutMs?: number;
  /**
   * Run the emulator from fixtures/emulator.ts (`startEmulator` with these options, in its own process)
   * instead of the CLI: for what the CLI has no flag for (token buckets of chosen sizes).
   */
  emulatorOptions?: Record<string, unknown>;
  /** Redis with the append-only file (for restarts). @default false */
  appendOnly?: boolean;
  /** More redis-server arguments, e.g. `['--maxmemory-policy', 'allkeys-lru']`. @default [] */
  redisArgs?: readonly string[];
  /**
   * Run on a private Redis Cluster (3 masters + 3 replicas) instead of one redis-server: the queue is
   * `{activity-s<N>}` (its own hash tag, docs/bullmq-redis.md#redis-cluster) under the prefix `sfn`. @default false
   */
  cluster?: boolean;
  /** @default { timeoutSeconds: 8, heartbeatSeconds: 4, retryAttempts: 3 } */
  clocks?: Partial<TaskClocks>;
  /** The state machine, given the activity's ARN. @default one activity Task with `clocks` and a Retry */
  definition?: (activityArn: string, clocks: TaskClocks) => object;
}

export interface BridgeSettings {
  polls?: number;
  maxWaiting?: number;
  resumeBelow?: number;
  enqueueDeadlineMs?: number;
  /** The bridge's heartbeats for tasks waiting in the queue (0: off). @default the bridge's */
  queuedHeartbeatIntervalMs?: number;
  /** The activity's `fleetPolls` (the budget the bridges on the ARN share). */
  fleetPolls?: number;
  /** The bridge's `fleet` block (lease TTL, poll hold). */
  fleet?: { leaseTtlMs?: number; pollHoldMs?: number; enabled?: boolean };
}

/** Env of one worker fixture process (see fixtures/worker.ts). */
export type WorkerSettings = Partial<
  Record<
    | 'HANDLER_MS'
    | 'CONCURRENCY'
    | 'LOCK_MS'
    | 'STALLED_MS'
    | 'CRASH_MID_HANDLER_AT'
    | 'CRASH_AFTER_STORED_AT',
    string
  >
>;

export interface ExecutionResult {
  executionArn: string;
  name: string;
  status: string;
  error?: string;
  cause?: string;
  activitiesStarted: number;
  activitiesTimedOut: number;
}

export interface RunRecord {
  event: 'run' | 'stored';
  worker: string;
  jobId: string;
  attempt?: number;
  execution?: string;
  /** The workerName of the bridge whose poll received the token. */
  bridge?: string;
  at: number;
}

export interface ScenarioOutcome {
  row: ResultRow;
  executions: ExecutionResult[];
  /** Handler runs per job (one job per task token). */
  runsPerJob: Map<string, number>;
  /** Stored outcomes per job. */
  storedPerJob: Map<string, number>;
  emulator: EmulatorStats;
}

export class Scenario {
  readonly processes: ChildProcesses;
  readonly sfn: SFNClient;
  readonly queueName: string;
  readonly runsFile: string;
  readonly clocks: TaskClocks;
  private readonly startedAt = Date.now();
  private readonly executionArns: string[] = [];
  private stateMachineArn = '';
  private bridgeCount = 0;
  private nextExecution = 0;
  private workerCount = 0;
  private closing: Promise<void> | undefined;
  private queue: Queue | undefined;
  private queueClient: Cluster | undefined;

  /** BullMQ prefix: on one node a tag (`{sfn}`); on a cluster the queue name carries the tag. */
  readonly prefix: string;

  private constructor(
    readonly options: ScenarioOptions,
    readonly dir: string,
    private readonly store: RedisServer | RedisCluster,
    readonly emulator: Child,
    readonly endpoint: string,
    readonly activityArn: string,
    processes: ChildProcesses,
  ) {
    this.processes = processes;
    this.prefix = options.cluster === true ? 'sfn' : '{sfn}';
    this.queueName =
      options.cluster === true ? `{activity-s${options.scenario}}` : `activity-s${options.scenario}`;
    this.runsFile = join(dir, 'runs.jsonl');
    writeFileSync(this.runsFile, '');
    this.clocks = { timeoutSeconds: 8, heartbeatSeconds: 4, retryAttempts: 3, ...options.clocks };
    this.sfn = new SFNClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'e2e', secretAccessKey: 'e2e' },
      maxAttempts: 10,
      requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 32 }) },
    });
  }

  /** The single redis-server (not on a `cluster` scenario). */
  get redis(): RedisServer {
    if (this.store instanceof RedisCluster) throw new Error('this scenario runs on a cluster: use s.cluster');
    return this.store;
  }

  /** The Redis Cluster of a `cluster` scenario. */
  get cluster(): RedisCluster {
    if (!(this.store instanceof RedisCluster)) throw new Error('this scenario runs on one redis-server');
    return this.store;
  }

  /** Node URLs of the cluster, or undefined on one redis-server. */
  private get clusterNodes(): string[] | undefined {
    return this.store instanceof RedisCluster
      ? this.store.nodes.map(({ host, port }) => `redis://${host}:${port}`)
      : undefined;
  }

  /** Starts Redis, the emulator (CLI) and the state machine. Call `close()` in teardown whatever happens. */
  static async start(options: ScenarioOptions): Promise<Scenario> {
    const dir = mkdtempSync(join(tmpdir(), `sfn-e2e-s${options.scenario}-`));
    const processes = new ChildProcesses(dir);
    let redis: RedisServer | RedisCluster | undefined;
    try {
      redis =
        options.cluster === true
          ? await RedisCluster.start({ extraArgs: options.redisArgs ?? [] })
          : await RedisServer.start({
              appendOnly: options.appendOnly ?? false,
              extraArgs: options.redisArgs ?? [],
            });
      const activity = `e2e-s${options.scenario}`;
      const pollTimeoutMs = options.pollTimeoutMs ?? 1500;
      const emulator =
        options.emulatorOptions === undefined
          ? processes.spawn('emulator', process.execPath, {
              args: [
                CLI,
                'emulator',
                '--port',
                '0',
                '--poll-timeout-ms',
                String(pollTimeoutMs),
                '--activity',
                activity,
              ],
            })
          : processes.spawn('emulator', process.execPath, {
              args: ['--import', 'tsx', EMULATOR_FIXTURE],
              cwd: E2E_ROOT,
              env: {
                EMULATOR_OPTIONS: JSON.stringify({
                  port: 0,
                  pollTimeoutMs,
                  activities: [activity],
                  ...options.emulatorOptions,
                }),
              },
            });
      const endpoint = (await emulator.waitForOutput(/listening on (http:\/\/\S+)/))[1]!;
      const arn = (await emulator.waitForOutput(/activity (arn:aws:states:\S+)/))[1]!;
      const scenario = new Scenario(options, dir, redis, emulator, endpoint, arn, processes);
      try {
        await scenario.createStateMachine();
      } catch (error) {
        await scenario.close();
        throw error;
      }
      return scenario;
    } catch (error) {
      await processes.closeAll();
      await redis?.close();
      throw error;
    }
  }

  /** Starts a bridge process with its own config file; resolves once its HTTP server is up. */
  async startBridge(settings: BridgeSettings = {}): Promise<Child> {
    const child = this.spawnBridge(settings);
    await child.waitForOutput(/sfn-bullmq bridge: HTTP on/);
    return child;
  }

  /** Spawns a bridge process and returns at once, for scenarios that expect it to refuse to start. */
  spawnBridge(settings: BridgeSettings = {}): Child {
    this.bridgeCount += 1;
    const name = `bridge-${this.bridgeCount}`;
    const config = {
      workerName: name,
      logLevel: 'info',
      redis:
        this.clusterNodes === undefined
          ? { url: this.redis.url, prefix: this.prefix }
          : { cluster: { nodes: this.clusterNodes }, prefix: this.prefix },
      stepFunctions: { region: 'us-east-1', endpoint: this.endpoint },
      http: { host: '127.0.0.1', port: 0, board: { enabled: false } },
      ...(settings.fleet !== undefined ? { fleet: settings.fleet } : {}),
      activities: [
        {
          arn: this.activityArn,
          queue: this.queueName,
          polls: settings.polls ?? 10,
          ...(settings.maxWaiting !== undefined ? { maxWaiting: settings.maxWaiting } : {}),
          ...(settings.resumeBelow !== undefined ? { resumeBelow: settings.resumeBelow } : {}),
          enqueueDeadlineMs: settings.enqueueDeadlineMs ?? 30_000,
          ...(settings.queuedHeartbeatIntervalMs !== undefined
            ? { queuedHeartbeatIntervalMs: settings.queuedHeartbeatIntervalMs }
            : {}),
          ...(settings.fleetPolls !== undefined ? { fleetPolls: settings.fleetPolls } : {}),
        },
      ],
    };
    const file = join(this.dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(config, null, 2));
    return this.processes.spawn(name, process.execPath, {
      args: [CLI, 'bridge', '--config', file],
      env: CREDENTIALS,
    });
  }

  /** Starts a worker fixture process; resolves once it is connected to Redis. */
  async startWorker(settings: WorkerSettings = {}): Promise<Child> {
    const child = this.spawnWorker(settings);
    await child.waitForOutput(/ready/, 30_000);
    return child;
  }

  /** Spawns a worker fixture process and returns at once, for scenarios that expect it to refuse to start. */
  spawnWorker(settings: WorkerSettings = {}): Child {
    this.workerCount += 1;
    const name = `worker-${this.workerCount}`;
    return this.processes.spawn(name, process.execPath, {
      args: ['--import', 'tsx', WORKER_FIXTURE],
      cwd: E2E_ROOT,
      env: {
        ...(this.clusterNodes === undefined
          ? { REDIS_URL: this.redis.url }
          : { REDIS_CLUSTER_NODES: this.clusterNodes.join(',') }),
        SFN_ENDPOINT: this.endpoint,
        QUEUE: this.queueName,
        PREFIX: this.prefix,
        RUNS_FILE: this.runsFile,
        WORKER_NAME: name,
        ...settings,
      },
    });
  }

  async emulatorStats(): Promise<EmulatorStats> {
    const response = await fetch(`${this.endpoint}/_emulator/stats`);
    if (!response.ok) throw new Error(`GET /_emulator/stats: HTTP ${response.status}`);
    return (await response.json()) as EmulatorStats;
  }

  async activityStats(): Promise<ActivityStats> {
    const stats = (await this.emulatorStats()).activities[this.activityArn];
    if (stats === undefined) throw new Error(`no stats for ${this.activityArn}`);
    return stats;
  }

  /** Waits until the emulator holds exactly `count` open polls on the activity. */
  async waitForOpenPolls(count: number, timeoutMs = 20_000): Promise<void> {
    await until(async () => (await this.activityStats()).openPolls, {
      what: `${count} open polls`,
      accept: (open) => open === count,
      timeoutMs,
      intervalMs: 100,
      retryOnError: true,
    });
  }

  /** Jobs in the activity's BullMQ queue by state (its own connection, made on first use). */
  async queueCounts(): Promise<Record<string, number>> {
    if (this.queue === undefined) {
      const connection =
        this.store instanceof RedisCluster
          ? new Cluster(this.store.nodes, { redisOptions: { maxRetriesPerRequest: null } })
          : { host: '127.0.0.1', port: this.store.port, maxRetriesPerRequest: null };
      if (connection instanceof Cluster) {
        connection.on('error', () => undefined);
        this.queueClient = connection;
      }
      this.queue = new Queue(this.queueName, { connection, prefix: this.prefix });
      this.queue.on('error', () => undefined);
    }
    return this.queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized');
  }

  /** Starts `count` executions, `spacingMs` apart (0: ten at a time); returns their ARNs. */
  async startExecutions(
    count: number,
    spacingMs = 0,
    input: (name: string) => unknown = (name) => ({ execution: name }),
  ): Promise<string[]> {
    const arns: string[] = [];
    const startOne = async (): Promise<void> => {
      this.nextExecution += 1;
      const name = `e${this.nextExecution}-${Math.random().toString(36).slice(2, 8)}`;
      const out = await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name,
          input: JSON.stringify(input(name)),
        }),
      );
      arns.push(out.executionArn!);
    };
    if (spacingMs > 0) {
      for (let i = 0; i < count; i += 1) {
        await startOne();
        if (i < count - 1) await sleep(spacingMs);
      }
    } else {
      for (let i = 0; i < count; i += 10) {
        await Promise.all(Array.from({ length: Math.min(10, count - i) }, () => startOne()));
      }
    }
    this.executionArns.push(...arns);
    return arns;
  }

  get executionCount(): number {
    return this.executionArns.length;
  }

  /** Waits until no execution runs any more (the engine's counters), then reads every one of them. */
  async finish(
    options: {
      timeoutMs?: number;
      expectedFailure?: (execution: ExecutionResult) => boolean;
      notes?: string;
    } = {},
  ): Promise<ScenarioOutcome> {
    const total = this.executionArns.length;
    await until(
      async () => {
        const executions = (await this.emulatorStats()).executions;
        return executions === undefined
          ? false
          : executions.running === 0 &&
              executions.succeeded + executions.failed + executions.timedOut + executions.aborted >= total;
      },
      {
        what: `all ${total} executions to end`,
        timeoutMs: options.timeoutMs ?? 60_000,
        intervalMs: 250,
        retryOnError: true,
      },
    );
    const executions: ExecutionResult[] = [];
    for (const executionArn of this.executionArns) executions.push(await this.readExecution(executionArn));

    const records = this.runRecords();
    const runsPerJob = countBy(records.filter((r) => r.event === 'run'));
    const storedPerJob = countBy(records.filter((r) => r.event === 'stored'));
    const resentOutcomes = this.processes.all
      .filter((child) => child.name.startsWith('worker-'))
      .reduce((sum, child) => sum + (child.text.match(/re-sending the outcome stored/g)?.length ?? 0), 0);
    const emulator = await this.emulatorStats();
    const stats = emulator.activities[this.activityArn]!;
    const expected = options.expectedFailure ?? (() => false);
    const failed = executions.filter((e) => e.status !== 'SUCCEEDED');
    const row: ResultRow = {
      scenario: this.options.scenario,
      title: this.options.title,
      executions: total,
      succeeded: executions.length - failed.length,
      failedExpected: failed.filter((e) => expected(e)).length,
      failedUnexpected: failed.filter((e) => !expected(e)).length,
      lostTokens: stats.lostTokens,
      timedOutTasks: executions.reduce((sum, e) => sum + e.activitiesTimedOut, 0),
      handlerRunsOver1: [...runsPerJob.values()].filter((runs) => runs > 1).length,
      resentOutcomes,
      waitP50Ms: Math.round(stats.waitMs.p50),
      waitP99Ms: Math.round(stats.waitMs.p99),
      wallSeconds: (Date.now() - this.startedAt) / 1000,
      notes: options.notes ?? '',
    };
    return { row, executions, runsPerJob, storedPerJob, emulator };
  }

  /** Every line the workers recorded so far. */
  runRecords(): RunRecord[] {
    return readFileSync(this.runsFile, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as RunRecord);
  }

  /** Kills every process, stops Redis, removes the folder unless `keepLogs`. Idempotent. */
  close({ keepLogs = false }: { keepLogs?: boolean } = {}): Promise<void> {
    this.closing ??= (async () => {
      const steps: Array<() => Promise<unknown>> = [
        () => this.processes.closeAll(),
        async () => this.queue?.close(),
        () => Promise.resolve(this.queueClient?.disconnect()),
        () => {
          this.sfn.destroy();
          return Promise.resolve();
        },
        () => this.store.close(),
        () => {
          if (!keepLogs) rmSync(this.dir, { recursive: true, force: true });
          return Promise.resolve();
        },
      ];
      for (const step of steps) {
        try {
          await step();
        } catch {
          // Teardown goes on: every process must be gone whatever failed before.
        }
      }
    })();
    return this.closing;
  }

  private async createStateMachine(): Promise<void> {
    const { timeoutSeconds, heartbeatSeconds, retryAttempts } = this.clocks;
    const definition = this.options.definition?.(this.activityArn, this.clocks) ?? {
      StartAt: 'Work',
      States: {
        Work: {
          Type: 'Task',
          Resource: this.activityArn,
          TimeoutSeconds: timeoutSeconds,
          HeartbeatSeconds: heartbeatSeconds,
          // A lost token shows as a timeout; the retry gives the task a new token.
          Retry: [
            {
              ErrorEquals: ['States.Timeout'],
              IntervalSeconds: 1,
              MaxAttempts: retryAttempts,
              BackoffRate: 1,
            },
          ],
          End: true,
        },
      },
    };
    const out = await this.sfn.send(
      new CreateStateMachineCommand({
        name: `e2e-s${this.options.scenario}`,
        definition: JSON.stringify(definition),
        roleArn: 'arn:aws:iam::123456789012:role/e2e',
      }),
    );
    this.stateMachineArn = out.stateMachineArn!;
  }

  private async readExecution(executionArn: string): Promise<ExecutionResult> {
    const described = await this.sfn.send(new DescribeExecutionCommand({ executionArn }));
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken }));
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    const result: ExecutionResult = {
      executionArn,
      name: described.name ?? '',
      status: described.status ?? 'UNKNOWN',
      activitiesStarted: events.filter((e) => e.type === 'ActivityStarted').length,
      activitiesTimedOut: events.filter((e) => e.type === 'ActivityTimedOut').length,
    };
    if (described.error !== undefined) result.error = described.error;
    if (described.cause !== undefined) result.cause = described.cause;
    return result;
  }
}

function countBy(records: readonly RunRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const record of records) counts.set(record.jobId, (counts.get(record.jobId) ?? 0) + 1);
  return counts;
}
