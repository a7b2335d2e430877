import { RedisServer, uniqueName } from '@sfn-bullmq/test-support';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Counter } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { redisOptionsFromUrl } from '../src/config/redis-connection.js';
import { createServiceRegistry } from '../src/http/queue-metrics.js';
import { serveHttp, testQueue, useCleanups } from './harness.js';

const onCleanup = useCleanups();

function probe(ready: boolean) {
  const state = { ready };
  return { state, readiness: { isReady: () => state.ready, status: () => ({ state: 'running' }) } };
}

const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

describe('health', () => {
  it('answers /healthz always and /readyz from the bridge, 503 once a stop begins', async () => {
    const { state, readiness } = probe(false);
    const { server, url } = await serveHttp(onCleanup, { readiness });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    state.ready = true;
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, status: { state: 'running' } });
    server.beginDrain();
    const draining = await fetch(`${url}/readyz`);
    expect(draining.status).toBe(503);
    expect(await draining.json()).toMatchObject({ ready: false, reason: 'draining' });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});

describe('readiness reason', () => {
  it("says in the 503 body why the bridge is not ready, in the bridge's own words", async () => {
    const reason = 'activity arn:…:resize-image: polls failing: no poll answered for 16 s; last error: …';
    const { url } = await serveHttp(onCleanup, {
      readiness: { isReady: () => false, notReadyReason: () => reason, status: () => ({}) },
    });
    const response = await fetch(`${url}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ ready: false, reason, status: {} });
  });
});

describe('metrics', () => {
  it("serves the bridge's metrics, job counts per queue and process metrics", async () => {
    const q = testQueue(onCleanup);
    await q.add('resize', { n: 1 });
    await q.add('resize', { n: 2 });
    const registry = createServiceRegistry([q], () => undefined);
    // What the bridge does at start: its metrics go into the registry it is given.
    new Counter({ name: 'sfn_bullmq_bridge_test_total', help: 'a bridge metric', registers: [registry] }).inc(
      3,
    );
    const { url } = await serveHttp(onCleanup, { registry });
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('sfn_bullmq_bridge_test_total 3');
    expect(text).toContain(`sfn_bullmq_queue_jobs{queue="${q.name}",state="waiting"} 2`);
    expect(text).toContain(`sfn_bullmq_queue_jobs{queue="${q.name}",state="active"} 0`);
    expect(text).toContain('process_cpu_user_seconds_total');
  });
});

describe('metrics with Redis down', () => {
  it('still answers, with the process metrics, and reports the failed count', async () => {
    const redis = await RedisServer.start();
    onCleanup(() => redis.close());
    // As the service connects its board and metrics queues: no offline queue, a connection it owns.
    const client = new Redis({ ...redisOptionsFromUrl(redis.url), enableOfflineQueue: false });
    client.on('error', () => undefined);
    onCleanup(() => Promise.resolve(client.disconnect()));
    const q = new Queue(uniqueName('q'), { connection: client });
    onCleanup(() => q.close());
    await q.waitUntilReady();
    await q.add('x', {});
    const errors: unknown[] = [];
    const registry = createServiceRegistry([q], (error) => errors.push(error));
    const { url } = await serveHttp(onCleanup, { registry });
    expect(await (await fetch(`${url}/metrics`)).text()).toContain(
      `sfn_bullmq_queue_jobs{queue="${q.name}",state="waiting"} 1`,
    );

    await redis.stop({ kill: true });
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).not.toContain(`queue="${q.name}"`);
    expect(errors.length).toBeGreaterThan(0);
  });
});

describe('Bull Board access', () => {
  it('is open on loopback without credentials', async () => {
    const { url } = await serveHttp(onCleanup, {
      board: { queues: [testQueue(onCleanup)], readOnly: false },
    });
    const response = await fetch(`${url}/admin/queues`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<html');
  });

  it('asks for Basic auth when credentials are set, and takes only the right ones', async () => {
    const q = testQueue(onCleanup);
    const { url } = await serveHttp(onCleanup, {
      board: { queues: [q], readOnly: false, credentials: { user: 'admin', password: 's3cret' } },
    });
    const anonymous = await fetch(`${url}/admin/queues`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect((await fetch(`${url}/admin/queues/api/queues`, { headers: basic('admin', 'wrong') })).status).toBe(
      401,
    );
    expect((await fetch(`${url}/admin/queues/api/queues`, { headers: basic('admi', 's3cret') })).status).toBe(
      401,
    );
    const api = await fetch(`${url}/admin/queues/api/queues`, { headers: basic('admin', 's3cret') });
    expect(api.status).toBe(200);
    expect(JSON.stringify(await api.json())).toContain(q.name);
    // Health and metrics stay open: probes and scrapers carry no board password.
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('is refused beyond loopback without credentials, with the reason', async () => {
    const { url } = await serveHttp(onCleanup, {
      host: '0.0.0.0',
      board: { queues: [testQueue(onCleanup)], readOnly: false },
    });
    const response = await fetch(`${url}/admin/queues`);
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('BOARD_USER');
    expect((await fetch(`${url}/admin/queues/api/queues`)).status).toBe(403);
  });

  it('marks the queues read-only when asked', async () => {
    const q = testQueue(onCleanup);
    const { url } = await serveHttp(onCleanup, { board: { queues: [q], readOnly: true } });
    const body = (await (await fetch(`${url}/admin/queues/api/queues`)).json()) as {
      queues: Array<{ name: string; readOnlyMode: boolean }>;
    };
    expect(body.queues.find((entry) => entry.name === q.name)?.readOnlyMode).toBe(true);
  });
});
