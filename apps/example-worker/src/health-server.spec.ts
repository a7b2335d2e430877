import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { HealthServer, type ReadinessSubject } from './health-server.js';

function worker(state: ReadinessSubject['state'], running: boolean, redis: string): ReadinessSubject {
  return {
    queueName: 'resize',
    state,
    worker: { isRunning: () => running, getBackend: () => ({ client: Promise.resolve({ status: redis }) }) },
  };
}

const servers: HealthServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(workers: ReadinessSubject[]): Promise<string> {
  const server = new HealthServer({ host: '127.0.0.1', port: 0, registry: new Registry(), workers });
  servers.push(server);
  return server.start();
}

describe('HealthServer', () => {
  it('is ready only while every worker runs on a connected Redis', async () => {
    expect((await fetch(`${await serve([worker('running', true, 'ready')])}/readyz`)).status).toBe(200);
    const starting = await fetch(`${await serve([worker('starting', false, 'connecting')])}/readyz`);
    expect(starting.status).toBe(503);
    const startingBody = (await starting.json()) as { ready: boolean; reason: string };
    expect(startingBody.ready).toBe(false);
    expect(startingBody.reason).toContain('is starting');
    const reconnecting = await fetch(`${await serve([worker('running', true, 'reconnecting')])}/readyz`);
    expect(reconnecting.status).toBe(503);
    expect(((await reconnecting.json()) as { reason: string }).reason).toContain('Redis reconnecting');
  });

  it('answers /healthz while /readyz says the worker is not ready', async () => {
    const url = await serve([worker('paused', false, 'ready')]);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
  });

  it('closes idempotently, ending in closed', async () => {
    const server = new HealthServer({ host: '127.0.0.1', port: 0, registry: new Registry(), workers: [] });
    await server.start();
    await Promise.all([server.close(), server.close()]);
    expect(server.state).toBe('closed');
  });
});
