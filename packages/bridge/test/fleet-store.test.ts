// The fleet's Lua scripts on a real redis-server, with time passed in so expiry is driven by the test.
import type {} from '@sfn-bullmq/test-support/vitest-global-setup';
import { uniqueName } from '@sfn-bullmq/test-support';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisFleetStore, fleetKey, type FleetRenewal } from '../src/fleet/fleet-store.js';

const redisUrl = inject('redisUrl');
let redis: Redis;
let now = 1_000_000;
let store: RedisFleetStore;

beforeAll(() => {
  redis = new Redis(redisUrl);
  store = new RedisFleetStore(redis, { now: () => now });
});
afterAll(async () => {
  await redis.quit();
});

function arn(): string {
  return `arn:aws:states:us-east-1:123456789012:activity:${uniqueName('fleet')}`;
}

function renewal(id: string, fields: Partial<FleetRenewal> = {}): FleetRenewal {
  return {
    id,
    cap: 400,
    budget: 300,
    holding: 0,
    open: 0,
    want: 100,
    leaseTtlMs: 3_000,
    pollHoldMs: 2_000,
    ...fields,
  };
}

describe('RedisFleetStore', () => {
  it('grants each of three bridges its 100 of a 300 budget and a fourth nothing while they hold it all', async () => {
    const a = arn();
    for (const id of ['a', 'b', 'c']) expect((await store.renew(a, renewal(id))).grant).toBe(100);
    const fourth = await store.renew(a, renewal('d', { want: 75 }));
    expect(fourth.grant).toBe(0);
    expect(fourth.members.map((m) => m.id).sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('grants a newcomer only the room the others released, as their polls come back', async () => {
    const a = arn();
    await store.renew(a, renewal('a', { want: 150 }));
    await store.renew(a, renewal('b', { want: 150 }));
    // 'a' lowers its ceiling to 100 but still has 150 polls open: it holds 150 until they return.
    await store.renew(a, renewal('a', { want: 100, holding: 150, open: 150 }));
    expect((await store.renew(a, renewal('c'))).grant).toBe(0);
    await store.renew(a, renewal('a', { want: 100, holding: 120, open: 120 }));
    expect((await store.renew(a, renewal('c'))).grant).toBe(30);
    await store.renew(a, renewal('a', { want: 100, holding: 100, open: 100 }));
    expect((await store.renew(a, renewal('c'))).grant).toBe(50);
  });

  it('counts a bridge whose lease ran out until its polls may have ended, then frees its share', async () => {
    const a = arn();
    await store.renew(a, renewal('a', { want: 150 }));
    await store.renew(a, renewal('dead', { want: 150 }));
    now += 3_000;
    const ghosted = await store.renew(a, renewal('a', { want: 300, holding: 150 }));
    expect(ghosted).toMatchObject({ grant: 150, ghosts: 1, ghostHeld: 150 });
    expect(ghosted.members.map((m) => m.id)).toEqual(['a']);
    now += 1_999;
    expect((await store.renew(a, renewal('a', { want: 300, holding: 150 }))).grant).toBe(150);
    now += 1;
    expect(await store.renew(a, renewal('a', { want: 300, holding: 150 }))).toMatchObject({
      grant: 300,
      ghosts: 0,
    });
  });

  it('frees the share of a bridge that leaves drained at once, and keeps polls still open counted', async () => {
    const a = arn();
    await store.renew(a, renewal('a', { want: 150 }));
    await store.renew(a, renewal('b', { want: 150 }));
    await store.leave(a, 'b', 0, 2_000);
    expect((await store.renew(a, renewal('a', { want: 300, holding: 150 }))).grant).toBe(300);
    await store.renew(a, renewal('c', { want: 0 }));
    await store.renew(a, renewal('a', { want: 150, holding: 300, open: 300 }));
    await store.renew(a, renewal('a', { want: 150, holding: 150, open: 150 }));
    expect((await store.renew(a, renewal('c', { want: 150 }))).grant).toBe(150);
    // 'c' leaves with 40 polls still out (a drain that timed out): they count for one poll hold.
    await store.leave(a, 'c', 40, 2_000);
    expect((await store.renew(a, renewal('a', { want: 300, holding: 150 }))).grant).toBe(260);
    now += 2_000;
    expect((await store.renew(a, renewal('a', { want: 300, holding: 260 }))).grant).toBe(300);
  });

  it('keeps the lowest budget its live bridges were given', async () => {
    const a = arn();
    await store.renew(a, renewal('a', { budget: 1000, want: 500 }));
    const low = await store.renew(a, renewal('b', { budget: 200, want: 500 }));
    expect(low).toMatchObject({ budget: 200, grant: 0 });
    expect((await store.renew(a, renewal('a', { budget: 1000, want: 100, holding: 500 }))).budget).toBe(200);
  });

  it('keeps one key per ARN, with the ARN as its hash tag and an expiry', async () => {
    const a = arn();
    await store.renew(a, renewal('a'));
    expect(await redis.exists(fleetKey(a))).toBe(1);
    expect(fleetKey(a)).toBe(`sfn-bullmq:fleet:{${a}}`);
    expect(await redis.pttl(fleetKey(a))).toBeGreaterThan(0);
  });

  it('uses the server clock when none is given', async () => {
    const real = new RedisFleetStore(redis);
    const a = arn();
    const snapshot = await real.renew(a, renewal('a'));
    expect(snapshot.grant).toBe(100);
    const raw = JSON.parse((await redis.hget(fleetKey(a), 'a'))!) as { e: number };
    expect(Math.abs(raw.e - (Date.now() + 3_000))).toBeLessThan(2_000);
  });
});
