// Contract (emulator only): the HTTP front end under clients that send too slowly or too much, on raw
// sockets: a trickled body or header is cut after its deadline; an oversize body gets AWS's 413, not a reset.
import { connect, type Socket } from 'node:net';
import { GetActivityTaskCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { MAX_REQUEST_BYTES } from '../../src/index.js';
import { onAws, startTarget, useTargetPerTest } from './target.js';

interface Exchange {
  /** Everything the server sent. */
  received: string;
  /** How the connection ended: the server closed it cleanly, reset it, or it was still open at the deadline. */
  ending: 'end' | 'reset' | 'still open';
  error: NodeJS.ErrnoException | undefined;
}

/**
 * Opens a raw connection to `endpoint`, lets `talk` write to it, and resolves once the server has closed
 * it (or reset it), or with 'still open' after `deadlineMs`.
 */
function exchange(endpoint: string, talk: (socket: Socket) => void, deadlineMs = 10_000): Promise<Exchange> {
  const { hostname, port } = new URL(endpoint);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    let error: NodeJS.ErrnoException | undefined;
    let ending: Exchange['ending'] | undefined;
    const finish = (how: Exchange['ending']): void => {
      ending ??= how;
      clearTimeout(timer);
      socket.destroy();
      resolve({ received: Buffer.concat(chunks).toString('latin1'), ending, error });
    };
    const timer = setTimeout(() => finish('still open'), deadlineMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => finish('end'));
    socket.on('error', (cause: NodeJS.ErrnoException) => {
      error = cause;
      finish(cause.code === 'ECONNRESET' || cause.code === 'EPIPE' ? 'reset' : 'end');
    });
    socket.on('close', () => finish('end'));
    socket.on('connect', () => talk(socket));
  });
}

function head(target: string, extra: string): string {
  return (
    'POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\n' +
    `X-Amz-Target: AWSStepFunctions.${target}\r\n${extra}\r\n`
  );
}

/** Writes `total` bytes of spaces in 64 KiB pieces, minding back-pressure, as `frame` wraps each piece. */
async function pour(socket: Socket, total: number, frame: (piece: Buffer) => Buffer | string): Promise<void> {
  const piece = Buffer.alloc(64 * 1024, 0x20);
  for (let sent = 0; sent < total && !socket.destroyed; sent += piece.length) {
    const part = piece.subarray(0, Math.min(piece.length, total - sent));
    if (!socket.write(frame(part))) {
      await new Promise<void>((resolve) => {
        socket.once('drain', resolve);
        socket.once('close', resolve);
      });
    }
  }
}

/** Status line, headers (lower-cased names) and body of the first response in `text`. */
function parseResponse(text: string): { status: number; headers: Record<string, string>; body: string } {
  const split = text.indexOf('\r\n\r\n');
  const [statusLine = '', ...lines] = text.slice(0, split).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  return {
    status: Number(statusLine.split(' ')[1]),
    headers,
    body: text.slice(split + 4, split + 4 + length),
  };
}

describe.skipIf(onAws)('HTTP limits', () => {
  const start = useTargetPerTest();

  it('answers 408 and closes a connection whose body trickles in past requestTimeoutMs', async () => {
    const t = await start({ emulator: { requestTimeoutMs: 1000 } });
    let trickle: NodeJS.Timeout | undefined;
    const result = await exchange(t.emulator!.endpoint, (socket) => {
      socket.write(head('ListActivities', 'Content-Length: 100000\r\n'));
      trickle = setInterval(() => socket.write('{'), 200);
      socket.on('close', () => clearInterval(trickle));
    });
    clearInterval(trickle);
    expect(result.ending).toBe('end');
    expect(parseResponse(result.received).status).toBe(408);
  });

  it('closes a connection whose headers trickle in past headersTimeoutMs', async () => {
    const t = await start({ emulator: { requestTimeoutMs: 2000, headersTimeoutMs: 500 } });
    let trickle: NodeJS.Timeout | undefined;
    const result = await exchange(t.emulator!.endpoint, (socket) => {
      socket.write('POST / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
      trickle = setInterval(() => socket.write('a'), 100);
      socket.on('close', () => clearInterval(trickle));
    });
    clearInterval(trickle);
    expect(result.ending).toBe('end');
    expect(parseResponse(result.received).status).toBe(408);
  });

  it('holds a long poll well past requestTimeoutMs: the deadline covers receiving the request, not the answer', async () => {
    const t = await start({
      emulator: { requestTimeoutMs: 300, headersTimeoutMs: 300, pollTimeoutMs: 1500 },
    });
    const arn = await t.createActivity('held');
    const empty = await t.pollClient.send(new GetActivityTaskCommand({ activityArn: arn }));
    expect(empty.taskToken).toBeUndefined();
    const waiting = t.pollClient.send(new GetActivityTaskCommand({ activityArn: arn }));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    t.emulator!.scheduleTask(arn, '{"late":true}');
    expect((await waiting).input).toBe('{"late":true}');
  });

  it('answers a 10 MB body with AWS’s plain-text 413 before closing, not with a reset', async () => {
    const t = await start();
    const total = 10 * 1024 * 1024;
    const result = await exchange(t.emulator!.endpoint, (socket) => {
      // As the SDK does: the whole body is written before the answer is read.
      socket.pause();
      socket.write(head('SendTaskSuccess', `Content-Length: ${total}\r\n`));
      void pour(socket, total, (piece) => piece).then(() => socket.resume());
    });
    expect(result.error).toBeUndefined();
    expect(result.ending).toBe('end');
    const response = parseResponse(result.received);
    expect(response.status).toBe(413);
    expect(response.headers['connection']).toBe('close');
    expect(response.body).toBe(`HTTP content length exceeded ${MAX_REQUEST_BYTES} bytes.`);
    expect(MAX_REQUEST_BYTES).toBe(1_049_600);
  });

  it('answers a chunked body that grows past the limit with the same 413', async () => {
    const t = await start();
    const result = await exchange(t.emulator!.endpoint, (socket) => {
      socket.pause();
      socket.write(head('SendTaskSuccess', 'Transfer-Encoding: chunked\r\n'));
      void pour(socket, 3 * 1024 * 1024, (piece) =>
        Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]),
      ).then(() => {
        if (!socket.destroyed) socket.write('0\r\n\r\n', () => socket.resume());
      });
    });
    expect(result.error).toBeUndefined();
    const response = parseResponse(result.received);
    expect(response.status).toBe(413);
    expect(response.body).toBe(`HTTP content length exceeded ${MAX_REQUEST_BYTES} bytes.`);
  });

  it('accepts a body of exactly maxRequestBytes, and a smaller maxRequestBytes when configured', async () => {
    const t = await start();
    const filler = (bytes: number): string => {
      const shell = JSON.stringify({ pad: '' });
      return JSON.stringify({ pad: 'x'.repeat(bytes - shell.length) });
    };
    const post = (endpoint: string, body: string): Promise<Response> =>
      fetch(endpoint, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-amz-json-1.0',
          'X-Amz-Target': 'AWSStepFunctions.ListActivities',
        },
        body,
      });
    const atLimit = await post(t.emulator!.endpoint, filler(MAX_REQUEST_BYTES));
    expect(atLimit.status).toBe(200);
    await atLimit.arrayBuffer();
    const small = await startTarget({ emulator: { maxRequestBytes: 1000 } });
    try {
      const over = await post(small.emulator!.endpoint, filler(1001));
      expect(over.status).toBe(413);
      expect(await over.text()).toBe('HTTP content length exceeded 1000 bytes.');
    } finally {
      await small.close();
    }
  });
});
