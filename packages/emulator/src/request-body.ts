// Reads a request body up to a byte limit while it streams, so an oversize body is
// refused after at most `limit` bytes instead of being buffered whole.
import type { IncomingMessage } from 'node:http';

/** Thrown when a body is larger than allowed; the server answers 413. */
export class RequestTooLargeError extends Error {
  override readonly name = 'RequestTooLargeError';
}

export function readRequestBody(request: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    return Promise.reject(new RequestTooLargeError(`Request size ${declared} exceeds ${limitBytes} bytes`));
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
      if (error === undefined) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
      else reject(error);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limitBytes) {
        // Stop reading: the rest is never taken into memory; the connection is closed after the reply.
        request.pause();
        chunks.length = 0;
        finish(new RequestTooLargeError(`Request size exceeds ${limitBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish(undefined);
    const onError = (error: Error): void => finish(error);
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
  });
}
