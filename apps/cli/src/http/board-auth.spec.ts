import type { NextFunction, Request, Response } from 'express';
import { describe, expect, it, vi } from 'vitest';
import { basicAuth, isLoopbackHost } from './board-auth.js';

function call(authorization: string | undefined) {
  const response = {
    statusCode: 200,
    headers: {} as Record<string, string>,
    status(code: number) {
      this.statusCode = code;
      return this;
    },
    set(name: string, value: string) {
      this.headers[name] = value;
      return this;
    },
    type() {
      return this;
    },
    send() {
      return this;
    },
  };
  const next = vi.fn();
  basicAuth({ user: 'admin', password: 'pa:ss' })(
    { headers: authorization === undefined ? {} : { authorization } } as Request,
    response as unknown as Response,
    next as NextFunction,
  );
  return { status: next.mock.calls.length > 0 ? 'passed' : response.statusCode, headers: response.headers };
}

const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;

describe('basicAuth', () => {
  it('lets the right user and password through (a colon in the password included)', () => {
    expect(call(basic('admin:pa:ss')).status).toBe('passed');
  });

  it('answers 401 with a challenge to anything else', () => {
    for (const header of [
      undefined,
      basic('admin:pa'),
      basic('admin'),
      basic('root:pa:ss'),
      'Bearer x',
      'Basic !!!',
    ]) {
      const result = call(header);
      expect(result.status).toBe(401);
      expect(result.headers['WWW-Authenticate']).toMatch(/^Basic realm="sfn-bullmq"/);
    }
  });
});

describe('isLoopbackHost', () => {
  it('knows loopback from addresses other machines reach', () => {
    expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1'].map(isLoopbackHost)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['0.0.0.0', '::', '10.0.0.5', 'bridge.internal'].map(isLoopbackHost)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});
