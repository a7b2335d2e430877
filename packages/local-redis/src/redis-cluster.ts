// A private Redis Cluster for one test file: 3 masters + 3 replicas on free ports, each a RedisServer in
// its own temp folder, with the helpers a failover test needs (whose slot a key is in, kill a master).
import { execFile } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { RedisServer, RedisServerStartError, findFreePort } from './redis-server.js';

const run = promisify(execFile);

/** `starting` while nodes come up and the cluster forms; `failed` when that did not work (close() it). */
export type RedisClusterState = 'idle' | 'starting' | 'running' | 'failed' | 'closing' | 'closed';

export interface RedisClusterOptions {
  /** Masters, each with `replicasPerMaster` replicas; Redis needs at least 3 masters. @default 3 */
  masters?: number;
  /** @default 1 */
  replicasPerMaster?: number;
  /**
   * `cluster-node-timeout`: how long a master may be silent before its replica takes over. Short, so a
   * failover test takes seconds (Redis' default is 15 s). @default 1_000
   */
  nodeTimeoutMs?: number;
  /** How long to wait for every node to report `cluster_state:ok`. @default 30_000 */
  startTimeoutMs?: number;
  /** Path or name of `redis-server`. @default 'redis-server' */
  binary?: string;
  /** Path or name of `redis-cli`, which creates the cluster. @default 'redis-cli' */
  cliBinary?: string;
  /** More `redis-server` arguments for every node, e.g. `['--maxmemory-policy', 'allkeys-lru']`. */
  extraArgs?: readonly string[];
}

/** One line of `CLUSTER NODES`: who a node is, whether it is a master, and which slots it serves. */
export interface ClusterNodeInfo {
  id: string;
  port: number;
  master: boolean;
  /** Marked failed (`fail` flag) by the cluster. */
  failed: boolean;
  /** The master's id for a replica. */
  masterId: string | undefined;
  /** Slot ranges served, as `[first, last]`. */
  slots: [number, number][];
}

/** Parses `CLUSTER NODES` (one node per line: id, address, flags, master, …, slots). */
export function parseClusterNodes(text: string): ClusterNodeInfo[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [id = '', address = '', flags = '', master = '-', , , , , ...slotFields] = line.trim().split(' ');
      const flagSet = new Set(flags.split(','));
      const slots: [number, number][] = [];
      for (const field of slotFields) {
        if (field.startsWith('[')) continue; // a slot being migrated
        const [first, last = first] = field.split('-').map(Number);
        if (first !== undefined && last !== undefined) slots.push([first, last]);
      }
      return {
        id,
        port: Number(address.split('@')[0]?.split(':').pop()),
        master: flagSet.has('master'),
        failed: flagSet.has('fail'),
        masterId: master === '-' ? undefined : master,
        slots,
      };
    });
}

async function withClient<T>(port: number, use: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await use(client);
  } finally {
    client.disconnect();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A Redis Cluster of child processes. `start()` resolves once every node says `cluster_state:ok` and every
 * replica is in sync; `close()` stops all nodes and removes their folders, and is idempotent.
 */
export class RedisCluster extends EventEmitter {
  private currentState: RedisClusterState = 'idle';
  private closing: Promise<void> | undefined;
  /** Every node, masters first as created (a failover changes who is master: ask `nodesInfo()`). */
  readonly servers: RedisServer[] = [];

  private constructor(private readonly options: Required<RedisClusterOptions>) {
    super();
  }

  static async start(options: RedisClusterOptions = {}): Promise<RedisCluster> {
    const cluster = new RedisCluster({
      masters: options.masters ?? 3,
      replicasPerMaster: options.replicasPerMaster ?? 1,
      nodeTimeoutMs: options.nodeTimeoutMs ?? 1_000,
      startTimeoutMs: options.startTimeoutMs ?? 30_000,
      binary: options.binary ?? 'redis-server',
      cliBinary: options.cliBinary ?? 'redis-cli',
      extraArgs: [...(options.extraArgs ?? [])],
    });
    try {
      await cluster.form();
    } catch (error) {
      cluster.setState('failed');
      await cluster.close();
      throw error;
    }
    return cluster;
  }

  get state(): RedisClusterState {
    return this.currentState;
  }

  /** Where a client starts: every node's host and port (ioredis' `Cluster` startup nodes). */
  get nodes(): { host: string; port: number }[] {
    return this.servers.map((server) => ({ host: '127.0.0.1', port: server.port }));
  }

  /** The ports of the nodes still running. */
  get runningPorts(): number[] {
    return this.servers.filter((server) => server.running).map((server) => server.port);
  }

  /** `CLUSTER NODES` as a running node sees it. */
  async nodesInfo(): Promise<ClusterNodeInfo[]> {
    const port = this.runningPorts[0];
    if (port === undefined) throw new Error('RedisCluster: no node is running');
    return parseClusterNodes(await withClient(port, (c) => c.call('CLUSTER', 'NODES') as Promise<string>));
  }

  /** The slot a key hashes to (its hash tag's, if it has one). */
  async slotOf(key: string): Promise<number> {
    const port = this.runningPorts[0];
    if (port === undefined) throw new Error('RedisCluster: no node is running');
    return withClient(port, async (c) => Number(await c.call('CLUSTER', 'KEYSLOT', key)));
  }

  /** The running master that serves `key`'s slot now. */
  async masterOf(key: string): Promise<RedisServer> {
    const slot = await this.slotOf(key);
    const info = (await this.nodesInfo()).find(
      (node) => node.master && !node.failed && node.slots.some(([a, b]) => slot >= a && slot <= b),
    );
    const server = this.servers.find((s) => s.port === info?.port && s.running);
    if (server === undefined) throw new Error(`RedisCluster: no running master serves slot ${slot}`);
    return server;
  }

  /** Kills a node with SIGKILL (no goodbye to the cluster); its replica takes over after the node timeout. */
  async kill(server: RedisServer): Promise<void> {
    await server.stop({ kill: true });
  }

  /**
   * Waits until `key`'s slot is served by a running master other than `formerPort` and every running node
   * says `cluster_state:ok`; resolves with the new master.
   */
  async waitForFailover(key: string, formerPort: number, timeoutMs = 30_000): Promise<RedisServer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const master = await this.masterOf(key);
        if (master.port !== formerPort && (await this.allOk())) return master;
      } catch {
        // not yet: the slot has no live master while the replicas vote
      }
      if (Date.now() > deadline) {
        throw new Error(`RedisCluster: no replica took over '${key}' within ${timeoutMs} ms`);
      }
      await sleep(100);
    }
  }

  /** Stops every node and removes their folders. Safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.setState('closing');
      await Promise.allSettled(this.servers.map((server) => server.close()));
      this.setState('closed');
    })();
    return this.closing;
  }

  /** Kills every node at once and synchronously, for a parent's 'exit' handler. */
  killNow(): void {
    for (const server of this.servers) server.killNow();
  }

  private setState(state: RedisClusterState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.emit('stateChange', state);
  }

  private async form(): Promise<void> {
    this.setState('starting');
    const { masters, replicasPerMaster, nodeTimeoutMs, binary, extraArgs } = this.options;
    const count = masters * (1 + replicasPerMaster);
    // Each node needs two ports: clients' and the cluster bus (by default port + 10,000, which may be taken).
    const ports = new Set<number>();
    while (ports.size < count * 2) ports.add(await findFreePort());
    const [clientPorts, busPorts] = [[...ports].slice(0, count), [...ports].slice(count)];
    const started = await Promise.allSettled(
      clientPorts.map((port, i) =>
        RedisServer.start({
          port,
          binary,
          extraArgs: [
            '--cluster-enabled', 'yes',
            '--cluster-config-file', 'nodes.conf',
            '--cluster-node-timeout', String(nodeTimeoutMs),
            '--cluster-port', String(busPorts[i]),
            ...extraArgs,
          ], // prettier-ignore
        }),
      ),
    );
    for (const result of started) if (result.status === 'fulfilled') this.servers.push(result.value);
    const failure = started.find((result) => result.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
    try {
      await run(
        this.options.cliBinary,
        [
          '--cluster', 'create',
          ...clientPorts.map((port) => `127.0.0.1:${port}`),
          '--cluster-replicas', String(replicasPerMaster),
          '--cluster-yes',
        ], // prettier-ignore
        { timeout: this.options.startTimeoutMs },
      );
    } catch (error) {
      const detail = (error as { stdout?: string; message?: string }).stdout ?? String(error);
      throw new RedisServerStartError(`redis-cli --cluster create failed: ${detail.slice(-2_000)}`);
    }
    const deadline = Date.now() + this.options.startTimeoutMs;
    while (!(await this.allOk(count)) || !(await this.replicasInSync())) {
      if (Date.now() > deadline) {
        throw new RedisServerStartError(
          `the cluster did not report cluster_state:ok on every node within ${this.options.startTimeoutMs} ms`,
        );
      }
      await sleep(100);
    }
    this.setState('running');
  }

  /** Every running node says `cluster_state:ok` (and, when given, knows that many nodes). */
  private async allOk(knownNodes?: number): Promise<boolean> {
    const answers = await Promise.all(
      this.runningPorts.map((port) =>
        withClient(port, (c) => c.call('CLUSTER', 'INFO') as Promise<string>).catch(() => ''),
      ),
    );
    return answers.every(
      (info) =>
        info.includes('cluster_state:ok') &&
        (knownNodes === undefined || info.includes(`cluster_known_nodes:${knownNodes}`)),
    );
  }

  /** Every replica's link to its master is up, so a failover has a replica that may take over. */
  private async replicasInSync(): Promise<boolean> {
    const answers = await Promise.all(
      this.runningPorts.map((port) =>
        withClient(port, (c) => c.info('replication')).catch(() => 'role:unknown'),
      ),
    );
    return answers.every((info) => info.includes('role:master') || info.includes('master_link_status:up'));
  }
}
