// Reads a request body up to a byte limit while it streams, so an oversize body is refused
// after at most `limit` bytes instead of being buffered whole; and throws away what is left of one.
import type { IncomingMessage } from 'node:http';

/** Thrown when a body is larger than allowed; the server answers 413. */
export class RequestTooLargeError extends Error {
  override readonly name = 'RequestTooLargeError';
  constructor(readonly limitBytes: number) {
    // AWS's words (docs/step-functions.md#wire-protocol), sent as the 413's plain-text body.
    super(`HTTP content length exceeded ${limitBytes} bytes.`);
  }
}

/** Thrown when the connection closed before the whole body came in (the client left, or a timeout cut it). */
class RequestAbortedError extends Error {
  override readonly name = 'RequestAbortedError';
}

export function readRequestBody(request: IncomingMessage, limitBytes: number): Promise<Buffer> {
  // Refused up front when the client says how much is coming.
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    return Promise.reject(new RequestTooLargeError(limitBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error: Error | undefined): void => {
      if (done) return;
      done = true;
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('close', onClose);
      if (error === undefined) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
      else reject(error);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limitBytes) {
        // Stop keeping it: the rest is never taken into memory.
        request.pause();
        chunks.length = 0;
        finish(new RequestTooLargeError(limitBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish(undefined);
    const onError = (error: Error): void => finish(error);
    // 'close' after 'end' is ignored by finish(); before it, the body will never be complete.
    const onClose = (): void =>
      finish(new RequestAbortedError('the connection closed before the body was in'));
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('close', onClose);
  });
}

/**
 * Reads what is left of a body and throws it away; resolves once it is all in, the connection closes, or
 * `deadlineMs` has passed, whichever comes first.
 */
export function discardRequestBody(request: IncomingMessage, deadlineMs: number): Promise<void> {
  if (request.complete || request.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, deadlineMs);
    function done(): void {
      clearTimeout(timer);
      request.off('end', done);
      request.off('close', done);
      request.off('error', done);
      request.off('data', ignore);
      resolve();
    }
    request.on('end', done);
    request.on('close', done);
    request.on('error', done);
    request.on('data', ignore);
    request.resume();
  });
}

function ignore(): void {
  // Bytes of a body already refused.
}
