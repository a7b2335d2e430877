// The duty to heartbeat one queue's waiting jobs, held by one bridge at a time: a Redis key with a TTL
// that its holder renews each tick. A bridge that dies stops renewing, and another takes over after the TTL.
import type { Cluster, Redis } from 'ioredis';
import type { DutyLock } from './ports.js';

/** Takes the key when free, renews it when ours; 1 when held after the call. */
const HOLD = `
local holder = redis.call('GET', KEYS[1])
if holder == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`;
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

function dutyLockKey(prefix: string, queueName: string): string {
  return `${prefix}:${queueName}:sfn-bullmq:heartbeat-duty`;
}

export class RedisDutyLock implements DutyLock {
  readonly key: string;

  constructor(
    private readonly redis: Redis | Cluster,
    prefix: string,
    queueName: string,
    /** Unique per bridge instance. */
    readonly owner: string,
    private readonly ttlMs: number,
  ) {
    this.key = dutyLockKey(prefix, queueName);
  }

  async hold(): Promise<boolean> {
    return (await this.redis.eval(HOLD, 1, this.key, this.owner, Math.ceil(this.ttlMs))) === 1;
  }

  async release(): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key, this.owner);
  }
}
