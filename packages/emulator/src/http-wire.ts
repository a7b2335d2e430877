// The wire level of the emulator's HTTP front end: request bodies parsed as awsJson1_0, replies written
// with AWS's headers, and the plain-text 413 that AWS's front end sends for an oversize body.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { discardRequestBody, type RequestTooLargeError } from './request-body.js';
import { serviceErrors } from './service-error.js';

const CONTENT_TYPE = 'application/x-amz-json-1.0';

export function parseBody(buffer: Buffer): Record<string, unknown> {
  if (buffer.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(buffer.toString('utf8'));
  } catch (error) {
    throw serviceErrors.serialization(error instanceof Error ? error.message : 'Malformed JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw serviceErrors.serialization('Start of structure or map found where not expected.');
  }
  return parsed as Record<string, unknown>;
}

/**
 * The 413 AWS's front end sends for a body over the limit: plain text, `connection: close`. The answer is
 * written at once, but the connection is only ended once the rest of the body has been read and thrown
 * away (or `lingerMs` passed): a socket closed with unread data sends a TCP reset, and a client still
 * writing its body would get ECONNRESET in place of the answer.
 */
export async function answerTooLarge(
  request: IncomingMessage,
  response: ServerResponse,
  error: RequestTooLargeError,
  lingerMs: number,
): Promise<void> {
  const text = error.message;
  response.writeHead(413, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    Connection: 'close',
    'x-amzn-RequestId': requestId(),
  });
  // write(), not end(): ending the response makes Node close the socket straight away.
  response.write(text);
  await discardRequestBody(request, lingerMs);
  response.end();
}

export function headerValue(value: string | string[] | undefined): string {
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}

export function writeJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  contentType = CONTENT_TYPE,
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': requestId(),
  });
  response.end(text);
}

let requestCounter = 0;
function requestId(): string {
  requestCounter = (requestCounter + 1) % 0xffffffff;
  return `00000000-0000-4000-8000-${requestCounter.toString(16).padStart(12, '0')}`;
}
