// Access to Bull Board: HTTP Basic auth with a constant-time compare when
// credentials are set; refused outright on a non-loopback address without them.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';

export interface BoardCredentials {
  user: string;
  password: string;
}

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Compares two strings in time that depends on neither (both are hashed to the same length first). */
function safeEqual(a: string, b: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** Middleware: 401 with a Basic challenge unless the request carries the credentials. */
export function basicAuth(credentials: BoardCredentials, realm = 'sfn-bullmq'): RequestHandler {
  return (request, response, next) => {
    const header = request.headers.authorization ?? '';
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    if (match?.[1] !== undefined) {
      const decoded = Buffer.from(match[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0) {
        // Both compares always run, so the time does not tell which one failed.
        const userOk = safeEqual(decoded.slice(0, colon), credentials.user);
        const passwordOk = safeEqual(decoded.slice(colon + 1), credentials.password);
        if (userOk && passwordOk) {
          next();
          return;
        }
      }
    }
    response
      .status(401)
      .set('WWW-Authenticate', `Basic realm="${realm}", charset="UTF-8"`)
      .type('text/plain')
      .send(
        '401 Unauthorized: the dashboard needs the user and password set in BOARD_USER / BOARD_PASSWORD.\n',
      );
  };
}

/** Middleware that refuses the board, with the reason, when it would be open to the network. */
export function refuseUnprotectedBoard(host: string): RequestHandler {
  const page =
    `<!doctype html><title>Dashboard disabled</title><h1>403: the dashboard is disabled</h1>` +
    `<p>This server listens on <code>${escapeHtml(host)}</code>, which is reachable from other machines, ` +
    `and Bull Board has no login of its own. Set <code>BOARD_USER</code> and <code>BOARD_PASSWORD</code> ` +
    `to turn on HTTP Basic auth, or listen on 127.0.0.1.</p>\n`;
  return (_request, response) => {
    response.status(403).type('html').send(page);
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
