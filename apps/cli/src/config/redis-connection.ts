// A redis:// or rediss:// URL as the ioredis options BullMQ takes, with what
// BullMQ needs for blocking connections (maxRetriesPerRequest: null); and the config's
// `redis` section as the connection of the bridge and of the board (one node or a cluster).
import type { BridgeOptions } from '@sfn-bullmq/bridge';
import type { RedisOptions } from 'bullmq';
import { Cluster, Redis, type ClusterOptions } from 'ioredis';

/** `redis://[user:password@]host[:port][/db]`; `rediss://` turns TLS on. */
export function redisOptionsFromUrl(url: string): RedisOptions {
  const parsed = new URL(url);
  const options: RedisOptions = {
    host: parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    maxRetriesPerRequest: null,
  };
  if (parsed.username !== '') options.username = decodeURIComponent(parsed.username);
  if (parsed.password !== '') options.password = decodeURIComponent(parsed.password);
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && /^\d+$/.test(db)) options.db = Number(db);
  if (parsed.protocol === 'rediss:') options.tls = {};
  return options;
}

/** The URL without its password, for logs. */
export function redactRedisUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}

/** The config's `redis` section, as far as the connection goes. */
export interface RedisConnectionConfig {
  url: string;
  /** Set for a Redis Cluster: its startup nodes as URLs (auth and TLS from the first), and ioredis ClusterOptions. */
  cluster?: { nodes: string[]; options?: ClusterOptions };
}

/**
 * Startup nodes and options of a cluster from node URLs: `host`/`port` per node; user, password and
 * `rediss:` (TLS) from the first node go to every node's `redisOptions`, as `redis.url` does for one node.
 */
export function clusterConnectionOf(cluster: NonNullable<RedisConnectionConfig['cluster']>): {
  cluster: { nodes: { host: string; port: number }[]; options: ClusterOptions };
} {
  const nodes = cluster.nodes.map((url) => {
    const { host = '127.0.0.1', port = 6379 } = redisOptionsFromUrl(url);
    return { host, port };
  });
  const { host: _host, port: _port, db: _db, ...auth } = redisOptionsFromUrl(cluster.nodes[0] ?? 'redis://');
  const options: ClusterOptions = { ...cluster.options };
  options.redisOptions = { ...auth, ...cluster.options?.redisOptions };
  // TLS certificates are checked against each node's own name, not the first's.
  if (auth.tls !== undefined) options.dnsLookup = (address, done) => done(null, address);
  return { cluster: { nodes, options } };
}

/** The bridge's connection option for the config's `redis` section. */
export function bridgeConnectionOf(redis: RedisConnectionConfig): BridgeOptions['connection'] {
  return redis.cluster === undefined ? redisOptionsFromUrl(redis.url) : clusterConnectionOf(redis.cluster);
}

/**
 * A client of our own for the board and the queue gauges, which queues no command offline: with Redis
 * down a scrape or a page view fails at once. On a cluster it is an ioredis `Cluster`, which BullMQ
 * takes only as a client.
 */
export function openBoardRedis(redis: RedisConnectionConfig): Redis | Cluster {
  if (redis.cluster === undefined) {
    return new Redis({ ...redisOptionsFromUrl(redis.url), enableOfflineQueue: false });
  }
  const { nodes, options } = clusterConnectionOf(redis.cluster).cluster;
  return new Cluster(nodes, { ...options, enableOfflineQueue: false });
}

/** Where the config says Redis is, without passwords, for logs. */
export function describeRedis(redis: RedisConnectionConfig): string {
  return redis.cluster === undefined
    ? redactRedisUrl(redis.url)
    : `cluster ${redis.cluster.nodes.map(redactRedisUrl).join(', ')}`;
}
