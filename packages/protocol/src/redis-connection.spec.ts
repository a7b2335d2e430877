import { describe, expect, it } from 'vitest';
import { hashTagOf, isClusterConnection, queueSlotIssue, redisConnectionIssues } from './redis-connection.js';

const names = { prefix: 'prefix', queueName: 'activities[0].queueName' };

describe('hashTagOf', () => {
  it('reads the tag as Redis does: first { to the first } after it, not empty', () => {
    expect(hashTagOf('bull:{orders}:wait')).toBe('orders');
    expect(hashTagOf('{sfn}:orders:wait')).toBe('sfn');
    expect(hashTagOf('bull:{}:wait')).toBeUndefined();
    expect(hashTagOf('bull:orders:wait')).toBeUndefined();
    expect(hashTagOf('bull:{a{b}:c}')).toBe('a{b');
  });
});

describe('queueSlotIssue', () => {
  it('accepts a tag per queue or a tagged prefix', () => {
    expect(queueSlotIssue('sfn', '{orders}', names)).toBeUndefined();
    expect(queueSlotIssue('{sfn}', 'orders', names)).toBeUndefined();
    expect(queueSlotIssue('{sfn:orders}', 'orders', names)).toBeUndefined();
  });

  it('refuses an untagged queue, naming the queue option and the name to set', () => {
    const issue = queueSlotIssue('bull', 'orders', names);
    expect(issue).toMatchObject({ option: 'activities[0].queueName', value: 'orders' });
    expect(issue?.rule).toContain("queueName '{orders}'");
  });

  it('blames the prefix when its tag does not close inside the queue part of the key', () => {
    expect(queueSlotIssue('{sfn', 'orders', names)).toMatchObject({ option: 'prefix', value: '{sfn' });
    expect(queueSlotIssue('{}', 'orders', names)).toMatchObject({ option: 'prefix' });
    // A tag that closes only in the suffix would spread the keys: the queue's '{' is the culprit.
    expect(queueSlotIssue('bull', '{orders', names)).toMatchObject({ option: 'activities[0].queueName' });
  });
});

describe('redisConnectionIssues', () => {
  it('accepts single-node options, a cluster with nodes, and a client', () => {
    expect(redisConnectionIssues({ url: 'redis://x:6379' })).toEqual([]);
    expect(
      redisConnectionIssues({ cluster: { nodes: ['10.0.0.1:6379', { host: 'a', port: 7000 }] } }),
    ).toEqual([]);
    expect(isClusterConnection({ cluster: { nodes: [] } })).toBe(true);
    expect(isClusterConnection({ isCluster: true })).toBe(true);
    expect(isClusterConnection({ host: 'a' })).toBe(false);
  });

  it('names every bad part of a cluster option', () => {
    expect(redisConnectionIssues({ cluster: { nodes: [] } })).toMatchObject([
      { option: 'connection.cluster.nodes' },
    ]);
    expect(
      redisConnectionIssues({ cluster: { nodes: ['nohost', { port: 99_999 }], options: 3 } }, 'redis'),
    ).toMatchObject([
      { option: 'redis.cluster.nodes[0]', value: 'nohost' },
      { option: 'redis.cluster.nodes[1]' },
      { option: 'redis.cluster.options', value: 3 },
    ]);
    expect(redisConnectionIssues(undefined)).toMatchObject([{ option: 'connection' }]);
  });
});
