// What a Redis must be for BullMQ jobs (and the task tokens in them) to survive: it never evicts keys, and
// ideally persists them. Bridge and worker read it once per connect; users of their own Worker call it too.

/**
 * The one Redis call these checks need; an ioredis `Redis` or `Cluster` fits as it is. Replies that are
 * errors must reject with an error named `ReplyError` (ioredis does), so a refused command is told apart
 * from a lost connection.
 */
export interface RedisCommandCaller {
  call(command: string, ...args: string[]): Promise<unknown>;
}

/** A client that can only run INFO, such as BullMQ's own `IRedisClient` type; read through INFO alone. */
export interface RedisInfoReader {
  info(): Promise<string>;
}

/**
 * An ioredis `Cluster` as the checks see it: each master is read on its own (a command sent to the
 * cluster would reach one node), and one that may evict refuses the whole cluster.
 */
export interface RedisClusterReader {
  readonly isCluster: true;
  nodes(role: 'master'): (RedisCommandCaller & { options?: { host?: string; port?: number } })[];
}

/** What the checks accept: a client with `call` (CONFIG GET, then INFO), one with only `info()`, or a cluster. */
export type RedisSettingsReader = RedisCommandCaller | RedisInfoReader | RedisClusterReader;

function isClusterReader(redis: RedisSettingsReader): redis is RedisClusterReader {
  return (
    (redis as Partial<RedisClusterReader>).isCluster === true &&
    typeof (redis as Partial<RedisClusterReader>).nodes === 'function'
  );
}

function hasCall(redis: RedisCommandCaller | RedisInfoReader): redis is RedisCommandCaller {
  return typeof (redis as Partial<RedisCommandCaller>).call === 'function';
}

/** How the settings were read: `CONFIG GET`, or `INFO` where CONFIG is refused (managed services rename it). */
export type RedisSettingsSource = 'CONFIG' | 'INFO';

/**
 * What survives a restart of Redis: the append-only file, RDB snapshots, both, nothing, or `unknown` where
 * CONFIG is refused and INFO shows no AOF (INFO does not show the snapshot schedule).
 */
export type RedisPersistence = 'none' | 'aof' | 'rdb' | 'aof+rdb' | 'unknown';

export interface RedisSettings {
  /** `maxmemory-policy`, e.g. `noeviction` or `allkeys-lru`; `unknown` when neither CONFIG nor INFO shows it. */
  evictionPolicy: string;
  /** `maxmemory` in bytes; 0 means no limit. Undefined when it could not be read. */
  maxmemoryBytes: number | undefined;
  persistence: RedisPersistence;
  /** `appendfsync` (`always`, `everysec`, `no`) when AOF is on and CONFIG answered. */
  appendfsync?: string;
  readVia: RedisSettingsSource;
  /** On a cluster: how many masters were read, and the `host:port` of the one these settings are from. */
  cluster?: { masters: number; node: string };
}

/** The only eviction policy under which Redis never deletes a job to make room. */
export const SAFE_EVICTION_POLICY = 'noeviction';

/** Redis may delete keys (jobs, and the task tokens in them) to make room: the bridge and worker refuse it. */
export class RedisEvictionPolicyError extends Error {
  override readonly name = 'RedisEvictionPolicyError';

  constructor(
    /** The `maxmemory-policy` seen (`unknown` when it could not be read). */
    readonly policy: string,
    /** How it was read. */
    readonly readVia: RedisSettingsSource,
    /** On a cluster, the `host:port` of the master that may evict. */
    readonly node?: string,
  ) {
    const seen =
      policy === 'unknown'
        ? `its maxmemory-policy could not be read (neither CONFIG GET nor INFO shows it)`
        : `its maxmemory-policy is '${policy}' (read with ${readVia === 'CONFIG' ? 'CONFIG GET' : 'INFO'})`;
    super(
      `Redis${node === undefined ? '' : ` (cluster master ${node})`} may evict BullMQ's keys: ${seen}. Evicted jobs take their Step Functions task tokens with ` +
        `them, and those tasks then wait for their timeout with nothing logged. Set maxmemory-policy to ` +
        `noeviction: run CONFIG SET maxmemory-policy noeviction and put 'maxmemory-policy noeviction' in ` +
        `redis.conf so a restart keeps it, or on a managed service set maxmemory-policy to noeviction in ` +
        `its parameter group. (To run anyway, at the risk of losing tasks, set unsafeAllowEvictionPolicy.)`,
    );
  }
}

/** Whether `error` is a `RedisEvictionPolicyError` (by name, so it holds across copies of this package). */
export function isRedisEvictionPolicyError(error: unknown): error is RedisEvictionPolicyError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'RedisEvictionPolicyError'
  );
}

/** Redis answered with an error (a refused or renamed command), as opposed to a connection that failed. */
function isReplyError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'ReplyError';
}

/** One `CONFIG GET <name>`; undefined when Redis refuses CONFIG or does not know the parameter. */
async function configGet(redis: RedisCommandCaller, name: string): Promise<string | undefined> {
  let reply: unknown;
  try {
    reply = await redis.call('CONFIG', 'GET', name);
  } catch (error) {
    if (isReplyError(error)) return undefined;
    throw error;
  }
  // RESP2 gives [name, value]; RESP3 a map, which ioredis hands over as an object.
  if (Array.isArray(reply)) {
    const value: unknown = reply[1];
    return typeof value === 'string' ? value : undefined;
  }
  if (typeof reply === 'object' && reply !== null) {
    const value = (reply as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

function persistenceOf(aof: boolean, rdb: boolean): RedisPersistence {
  if (aof && rdb) return 'aof+rdb';
  if (aof) return 'aof';
  return rdb ? 'rdb' : 'none';
}

async function readViaConfig(redis: RedisCommandCaller): Promise<RedisSettings | undefined> {
  const policy = await configGet(redis, 'maxmemory-policy');
  if (policy === undefined) return undefined;
  const [maxmemory, appendonly, save, appendfsync] = await Promise.all([
    configGet(redis, 'maxmemory'),
    configGet(redis, 'appendonly'),
    configGet(redis, 'save'),
    configGet(redis, 'appendfsync'),
  ]);
  const aof = appendonly === 'yes';
  const settings: RedisSettings = {
    evictionPolicy: policy,
    maxmemoryBytes: maxmemory === undefined ? undefined : Number(maxmemory),
    persistence: persistenceOf(aof, save !== undefined && save.trim() !== ''),
    readVia: 'CONFIG',
  };
  if (aof && appendfsync !== undefined) settings.appendfsync = appendfsync;
  return settings;
}

/** Reads `INFO` (its `key:value` lines); INFO answers on services that rename CONFIG. */
async function readViaInfo(redis: RedisCommandCaller | RedisInfoReader): Promise<RedisSettings> {
  let reply: unknown;
  try {
    reply = await (hasCall(redis) ? redis.call('INFO') : redis.info());
  } catch (error) {
    if (isReplyError(error)) reply = '';
    else throw error;
  }
  const fields = new Map<string, string>();
  for (const line of String(reply).split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  const maxmemory = fields.get('maxmemory');
  const aof = fields.get('aof_enabled') === '1';
  return {
    evictionPolicy: fields.get('maxmemory_policy') ?? 'unknown',
    maxmemoryBytes: maxmemory === undefined ? undefined : Number(maxmemory),
    // INFO shows whether AOF is on but not whether snapshots are scheduled.
    persistence: aof ? 'aof' : 'unknown',
    readVia: 'INFO',
  };
}

/**
 * Reads the eviction policy, memory limit and persistence, with `CONFIG GET` or, where that is refused,
 * `INFO`. A few round trips: call it once per connect, not per job. Rejects only when the connection
 * fails (a refused command is not an error here).
 */
export async function readRedisSettings(redis: RedisSettingsReader): Promise<RedisSettings> {
  // Checked first: a Cluster has `call` too, which would reach one node only.
  if (isClusterReader(redis)) return readClusterSettings(redis);
  return (hasCall(redis) ? await readViaConfig(redis) : undefined) ?? (await readViaInfo(redis));
}

/** Ranks what survives a restart, worst first, so a cluster reports its weakest master. */
const PERSISTENCE_RANK: readonly RedisPersistence[] = ['none', 'unknown', 'rdb', 'aof', 'aof+rdb'];

/**
 * Reads every master and reports the worst: the first that may evict, else the one that persists least.
 * Replicas are not read: a write lands on a master, and a promoted replica is read on the next connect.
 */
async function readClusterSettings(cluster: RedisClusterReader): Promise<RedisSettings> {
  const masters = cluster.nodes('master');
  if (masters.length === 0) throw new Error('the Redis Cluster client knows no master yet');
  const read = await Promise.all(
    masters.map(async (master) => {
      const settings = await readRedisSettings(master);
      const { host = '?', port = 0 } = master.options ?? {};
      return { ...settings, cluster: { masters: masters.length, node: `${host}:${port}` } };
    }),
  );
  const rank = (s: RedisSettings) =>
    (evictionPolicyProblem(s) === undefined ? 10 : 0) + PERSISTENCE_RANK.indexOf(s.persistence);
  return read.reduce((worst, s) => (rank(s) < rank(worst) ? s : worst));
}

/** The error to refuse `settings` with, or undefined when Redis never evicts. */
export function evictionPolicyProblem(settings: RedisSettings): RedisEvictionPolicyError | undefined {
  if (settings.evictionPolicy === SAFE_EVICTION_POLICY) return undefined;
  return new RedisEvictionPolicyError(settings.evictionPolicy, settings.readVia, settings.cluster?.node);
}

/** A warning for the operator when a restart of Redis would lose jobs, or undefined when AOF is on. */
export function persistenceWarning(settings: RedisSettings): string | undefined {
  switch (settings.persistence) {
    case 'aof':
    case 'aof+rdb':
      return undefined;
    case 'none':
      return (
        'Redis persists nothing (appendonly no, no save schedule): if Redis restarts, every job not yet ' +
        'finished is lost and its Step Functions task waits for its timeout. Set appendonly yes with ' +
        'appendfsync always (or everysec, which can lose about the last second of writes if the machine fails).'
      );
    case 'rdb':
      return (
        'Redis persists only RDB snapshots: if Redis restarts, jobs stored since the last snapshot are lost ' +
        'and their Step Functions tasks wait for their timeout. Set appendonly yes with appendfsync always ' +
        '(or everysec, which can lose about the last second of writes if the machine fails).'
      );
    case 'unknown':
      return (
        'Redis refuses CONFIG and INFO shows the append-only file off: whether it snapshots or replicates ' +
        'cannot be read. Make sure the service keeps its data across a restart, or jobs (and their tasks) are lost.'
      );
  }
}

export interface AssertRedisKeepsJobsOptions {
  /** Return the settings even when Redis may evict keys, instead of throwing. @default false */
  unsafeAllowEvictionPolicy?: boolean;
}

/**
 * For a BullMQ `Worker` you build yourself around `activityProcessor()`: await it once before
 * `worker.run()`, on your ioredis connection or `await worker.getBackend().client`. Throws
 * `RedisEvictionPolicyError` unless Redis runs with `maxmemory-policy noeviction`; resolves with what it
 * read, so you can log `persistenceWarning(settings)`.
 */
export async function assertRedisKeepsJobs(
  redis: RedisSettingsReader,
  options: AssertRedisKeepsJobsOptions = {},
): Promise<RedisSettings> {
  const settings = await readRedisSettings(redis);
  const problem = evictionPolicyProblem(settings);
  if (problem !== undefined && options.unsafeAllowEvictionPolicy !== true) throw problem;
  return settings;
}
