// Where the bridges on one ARN meet: one Redis hash per ARN, changed only by Lua scripts, so
// expiring leases, checking the budget and recording a grant is one atomic step (docs/architecture.md#fleet).
import type { Cluster, Redis } from 'ioredis';

/** What one bridge tells the fleet at each renewal. */
export interface FleetRenewal {
  /** The bridge's id in the fleet: unique per process (its worker name and a random part). */
  id: string;
  /** The most polls this bridge can use (its `polls`). */
  cap: number;
  /** The fleet-wide budget this bridge was configured with; the fleet keeps the lowest of its members'. */
  budget: number;
  /** The most polls it may have open until its next renewal: max(open polls, its current ceiling). */
  holding: number;
  /** Polls open now. */
  open: number;
  /** The share it asks for (its fair share as it last computed it). */
  want: number;
  leaseTtlMs: number;
  /** How long a poll of a bridge that died may stay open at the service after its lease ran out. */
  pollHoldMs: number;
}

/** One live bridge as the last renewal saw it. */
interface FleetMemberView {
  id: string;
  cap: number;
  /** What it holds: the most polls it may have open. */
  held: number;
  open: number;
}

export interface FleetSnapshot {
  /** The ceiling granted to the caller: at most its `want`, `cap` and the room the others leave. */
  grant: number;
  /** The fleet's budget: the lowest its live members were configured with. */
  budget: number;
  /** Live members, the caller included. */
  members: FleetMemberView[];
  /** Bridges whose lease ran out and whose polls may still be open (counted against the budget until then). */
  ghosts: number;
  /** Polls those ghosts may still hold. */
  ghostHeld: number;
}

/** The store a `FleetLease` talks through; `RedisFleetStore` is the real one, unit tests pass plain objects. */
export interface FleetStore {
  renew(activityArn: string, renewal: FleetRenewal): Promise<FleetSnapshot>;
  /** Leaves the fleet: its share is free at once, or once `open` polls may have ended when some are still open. */
  leave(activityArn: string, id: string, open: number, pollHoldMs: number): Promise<void>;
}

/**
 * The hash of one ARN's fleet. Its one key is a hash tag on the ARN, so each ARN's fleet lives in one
 * slot of a Redis Cluster and different ARNs spread over the masters. Not under the BullMQ prefix:
 * every bridge on an ARN shares the service's limit, whatever prefix its queues use.
 */
export function fleetKey(activityArn: string): string {
  return `sfn-bullmq:fleet:{${activityArn}}`;
}

// Members are fields of the hash: id → JSON { c: cap, b: budget, h: held, o: open, e: lease expiry ms,
// g: ghost until ms (set once the lease ran out) }. Time is Redis's own (TIME) unless a test passes it.
const NOW = `
local now
if ARGV[#ARGV] ~= '' then
  now = tonumber(ARGV[#ARGV])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

const RENEW = `${NOW}
local key, id = KEYS[1], ARGV[1]
local cap, budget, holding, open, want = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local ttl, hold = tonumber(ARGV[7]), tonumber(ARGV[8])
local entries = redis.call('HGETALL', key)
local others, ghosts, ghostHeld, effective = 0, 0, 0, budget
local live = {}
for i = 1, #entries, 2 do
  local mid = entries[i]
  if mid ~= id then
    local m = cjson.decode(entries[i + 1])
    if m.g == nil and now >= m.e then
      -- Its lease ran out (killed, or cut off from Redis): its polls were opened before, so they end
      -- at most one poll hold after its lease did. Until then they count.
      m.g = m.e + hold
      redis.call('HSET', key, mid, cjson.encode(m))
    end
    if m.g ~= nil then
      if now >= m.g then
        redis.call('HDEL', key, mid)
      else
        others = others + m.h
        ghosts = ghosts + 1
        ghostHeld = ghostHeld + m.h
      end
    else
      others = others + m.h
      if m.b < effective then effective = m.b end
      table.insert(live, { mid, m.c, m.h, m.o })
    end
  end
end
local grant = math.min(want, cap, effective - others)
if grant < 0 then grant = 0 end
local held = math.max(holding, grant)
redis.call('HSET', key, id, cjson.encode({ c = cap, b = budget, h = held, o = open, e = now + ttl }))
-- A fleet whose every bridge is gone leaves nothing behind.
redis.call('PEXPIRE', key, ttl + hold + 60000)
table.insert(live, { id, cap, held, open })
local out = { grant, effective, ghosts, ghostHeld }
for _, m in ipairs(live) do
  table.insert(out, m[1]); table.insert(out, m[2]); table.insert(out, m[3]); table.insert(out, m[4])
end
return out
`;

const LEAVE = `${NOW}
local key, id, open, hold = KEYS[1], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
if open > 0 then
  local raw = redis.call('HGET', key, id)
  if raw then
    local m = cjson.decode(raw)
    m.h, m.o, m.e, m.g = open, open, now, now + hold
    redis.call('HSET', key, id, cjson.encode(m))
    return 1
  end
end
return redis.call('HDEL', key, id)
`;

interface FleetCommands {
  sfnBullmqFleetRenew(key: string, ...args: string[]): Promise<unknown[]>;
  sfnBullmqFleetLeave(key: string, ...args: string[]): Promise<number>;
}

export interface RedisFleetStoreOptions {
  /** Time sent to the scripts instead of Redis's own, for tests that drive expiry. @default Redis's TIME */
  now?: () => number;
}

/** The fleet in Redis through two scripts (EVALSHA, loaded on first use; one key each, so Cluster-safe). */
export class RedisFleetStore implements FleetStore {
  private readonly redis: (Redis | Cluster) & FleetCommands;
  private readonly now: (() => number) | undefined;

  constructor(redis: Redis | Cluster, options: RedisFleetStoreOptions = {}) {
    redis.defineCommand('sfnBullmqFleetRenew', { numberOfKeys: 1, lua: RENEW });
    redis.defineCommand('sfnBullmqFleetLeave', { numberOfKeys: 1, lua: LEAVE });
    this.redis = redis as (Redis | Cluster) & FleetCommands;
    this.now = options.now;
  }

  async renew(activityArn: string, r: FleetRenewal): Promise<FleetSnapshot> {
    const reply = await this.redis.sfnBullmqFleetRenew(
      fleetKey(activityArn),
      r.id,
      String(r.cap),
      String(r.budget),
      String(r.holding),
      String(r.open),
      String(r.want),
      String(r.leaseTtlMs),
      String(r.pollHoldMs),
      this.timeArg(),
    );
    const numbers = reply.slice(0, 4).map(Number);
    const members: FleetMemberView[] = [];
    for (let index = 4; index + 3 < reply.length; index += 4) {
      members.push({
        id: String(reply[index]),
        cap: Number(reply[index + 1]),
        held: Number(reply[index + 2]),
        open: Number(reply[index + 3]),
      });
    }
    return {
      grant: numbers[0] ?? 0,
      budget: numbers[1] ?? r.budget,
      ghosts: numbers[2] ?? 0,
      ghostHeld: numbers[3] ?? 0,
      members,
    };
  }

  async leave(activityArn: string, id: string, open: number, pollHoldMs: number): Promise<void> {
    await this.redis.sfnBullmqFleetLeave(
      fleetKey(activityArn),
      id,
      String(open),
      String(pollHoldMs),
      this.timeArg(),
    );
  }

  private timeArg(): string {
    return this.now === undefined ? '' : String(Math.floor(this.now()));
  }
}
