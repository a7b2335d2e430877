// The rules of a Redis connection that bridge, worker and CLI share: a single node or a Redis Cluster
// (`{ cluster: { nodes, options } }`), and the hash-tag rule that keeps one queue's keys in one slot.
// See docs/bullmq-redis.md#redis-cluster.
import type { OptionIssue } from './invalid-option-error.js';

/** A cluster startup node as ioredis takes it: `'host:port'`, a port, or `{ host, port }`. */
export type RedisClusterNode = string | number | { host?: string; port?: number };

/**
 * A Redis Cluster to connect to: startup `nodes` (a few are enough; the client discovers the rest) and the
 * ioredis `ClusterOptions` (`options.redisOptions` carries TLS, username and password, as for one node).
 */
export interface RedisClusterConnectionOptions<ClusterOptions extends object = object> {
  cluster: {
    nodes: readonly RedisClusterNode[];
    options?: ClusterOptions;
  };
}

/** Options naming a cluster (`{ cluster: { nodes } }`), as opposed to single-node options or a client. */
export function isClusterConnectionOptions(value: unknown): value is RedisClusterConnectionOptions {
  return typeof value === 'object' && value !== null && 'cluster' in value;
}

/** An ioredis `Cluster` instance (it says so in `isCluster`; a single-node `Redis` says false). */
export function isClusterClient(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { isCluster?: unknown }).isCluster === true;
}

/** Whether a connection (options or a client) goes to a Redis Cluster. */
export function isClusterConnection(value: unknown): boolean {
  return isClusterConnectionOptions(value) || isClusterClient(value);
}

function isNode(node: unknown): boolean {
  if (typeof node === 'number') return Number.isInteger(node) && node > 0 && node < 65_536;
  if (typeof node === 'string') return /^[^\s]+:\d+$/.test(node) || /^\d+$/.test(node);
  if (typeof node !== 'object' || node === null) return false;
  const { host, port } = node as { host?: unknown; port?: unknown };
  return (
    (host === undefined || (typeof host === 'string' && host !== '')) &&
    (port === undefined || (typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65_536))
  );
}

/**
 * What is wrong with a connection option (empty when nothing): an object (single-node options, a client,
 * or `{ cluster }`), and for a cluster a non-empty `nodes` list of `'host:port'` or `{ host, port }`.
 */
export function redisConnectionIssues(connection: unknown, option = 'connection'): OptionIssue[] {
  if (typeof connection !== 'object' || connection === null) {
    return [
      {
        option,
        value: connection,
        rule: 'must be Redis connection options, { cluster: { nodes, options } } or an ioredis instance',
      },
    ];
  }
  if (!isClusterConnectionOptions(connection)) return [];
  const { cluster } = connection as { cluster: unknown };
  if (typeof cluster !== 'object' || cluster === null) {
    return [{ option: `${option}.cluster`, value: cluster, rule: 'must be an object { nodes, options }' }];
  }
  const { nodes, options } = cluster as { nodes?: unknown; options?: unknown };
  const issues: OptionIssue[] = [];
  if (!Array.isArray(nodes) || nodes.length === 0) {
    issues.push({
      option: `${option}.cluster.nodes`,
      value: nodes,
      rule: "must be a non-empty list of startup nodes ('host:port' or { host, port })",
    });
  } else {
    nodes.forEach((node, index) => {
      if (!isNode(node)) {
        issues.push({
          option: `${option}.cluster.nodes[${index}]`,
          value: node,
          rule: "must be 'host:port', a port, or { host, port }",
        });
      }
    });
  }
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    issues.push({
      option: `${option}.cluster.options`,
      value: options,
      rule: 'must be ioredis ClusterOptions (an object)',
    });
  }
  return issues;
}

/**
 * The hash tag Redis Cluster hashes `key` by: what lies between the first `{` and the first `}` after
 * it, when that is not empty; otherwise undefined (the whole key is hashed).
 */
export function hashTagOf(key: string): string | undefined {
  const open = key.indexOf('{');
  if (open === -1) return undefined;
  const close = key.indexOf('}', open + 1);
  return close === -1 || close === open + 1 ? undefined : key.slice(open + 1, close);
}

export interface QueueSlotOptionNames {
  /** The path of the prefix option, e.g. `prefix` or `redis.prefix`. */
  prefix: string;
  /** The path of the queue name option, e.g. `activities[0].queueName`. */
  queueName: string;
}

/**
 * On a cluster, BullMQ's keys of one queue (`<prefix>:<queue>:<suffix>`) must hash to one slot, or its
 * scripts fail with CROSSSLOT: a hash tag must open and close inside `<prefix>:<queue>:`. Returns the
 * issue naming the option to change, or undefined when the keys share a slot.
 */
export function queueSlotIssue(
  prefix: string,
  queueName: string,
  names: QueueSlotOptionNames,
): OptionIssue | undefined {
  const base = `${prefix}:${queueName}:`;
  const open = base.indexOf('{');
  const close = open === -1 ? -1 : base.indexOf('}', open + 1);
  if (open !== -1 && close > open + 1) return undefined;
  const suggestion =
    `on Redis Cluster all keys of a queue must share one slot, and '${base}<suffix>' does not: ` +
    `wrap the queue name in a hash tag, queueName '{${queueName.replace(/[{}]/g, '')}}' ` +
    `(a tag per queue spreads the queues over the masters), or give the prefix one, e.g. ` +
    `'{${prefix.replace(/[{}]/g, '')}}' (every queue in one slot); see docs/bullmq-redis.md#redis-cluster`;
  // An unclosed or empty tag is the fault of the option it opens in; no tag at all, the queue name's.
  if (open !== -1 && open < prefix.length) return { option: names.prefix, value: prefix, rule: suggestion };
  return { option: names.queueName, value: queueName, rule: suggestion };
}
