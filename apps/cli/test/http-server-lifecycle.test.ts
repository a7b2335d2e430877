// HttpServer's lifecycle: the state getter, 'stateChange', and 'failed' when the port is taken.
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HttpServer } from '../src/http/http-server.js';
import { useCleanups } from './harness.js';

const readiness = { isReady: () => true, status: () => ({}) };

function server(port: number): HttpServer {
  return new HttpServer({ port, logger: pino({ level: 'silent' }), registry: new Registry(), readiness });
}

describe('HttpServer lifecycle', () => {
  const onCleanup = useCleanups();

  it("goes idle → starting → listening → draining → closed, emitting 'stateChange' at each step", async () => {
    const http = server(0);
    const seen: string[] = [];
    http.on('stateChange', (state: string) => seen.push(state));
    expect(http.state).toBe('idle');
    await http.start();
    expect(http.state).toBe('listening');
    await http.close();
    await http.close();
    expect(seen).toEqual(['starting', 'listening', 'draining', 'closed']);
  });

  it("turns 'failed' when the port is taken, and close() still ends in 'closed'", async () => {
    const first = server(0);
    await first.start();
    onCleanup(() => first.close());
    const second = server(Number(new URL(first.url).port));
    await expect(second.start()).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(second.state).toBe('failed');
    await second.close();
    expect(second.state).toBe('closed');
  });
});
