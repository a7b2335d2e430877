// One HTTP request and its whole answer over node:http(s), with an idle timeout and a size cap:
// the transport under SfnActivityClient, which knows nothing of operations, signing or retries.
import type { Agent as HttpAgent, IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { request as httpsRequest } from 'node:https';
import type { ActivityTarget } from './activity-target.js';
import { SfnRequestTimeoutError, SfnResponseError } from './sfn-call-errors.js';

/** Far above GetActivityTask's 1 MiB input, even JSON-escaped; a bigger answer is not Step Functions. */
const MAX_RESPONSE_BYTES = 16 * 2 ** 20;

/** An answer as read off the wire, before it is judged a result or an error. */
export interface RawResponse {
  status: number;
  body: string;
  requestId: string | undefined;
  errorType: string | undefined;
  date: string | undefined;
}

export interface ExchangeRequest {
  target: ActivityTarget;
  agents: { http: HttpAgent; https: HttpsAgent };
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** Named in the errors, e.g. `SendTaskSuccess`. */
  operation: string;
}

/** POSTs the body and reads the answer; rejects on a network error, silence past `timeoutMs` or an oversized answer. */
export function exchange(call: ExchangeRequest): Promise<RawResponse> {
  const { target, operation, timeoutMs } = call;
  return new Promise((resolve, reject) => {
    const request = (target.https ? httpsRequest : httpRequest)({
      agent: target.https ? call.agents.https : call.agents.http,
      hostname: target.hostname,
      port: target.port,
      path: target.path,
      method: 'POST',
      headers: call.headers,
    });
    // Idle time on the socket: for a poll at least 65 s, so only a service that broke its own
    // 60 s promise is given up on.
    request.setTimeout(timeoutMs, () => {
      request.destroy(new SfnRequestTimeoutError(`${operation}: no answer within ${timeoutMs} ms`));
    });
    request.on('error', reject);
    request.on('response', (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > MAX_RESPONSE_BYTES) {
          request.destroy(
            new SfnResponseError(`${operation}: answer larger than ${MAX_RESPONSE_BYTES} bytes`),
          );
          return;
        }
        chunks.push(chunk);
      });
      response.on('error', reject);
      response.on('end', () => {
        resolve({
          status: response.statusCode ?? 0,
          body: chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'),
          requestId: header(response, 'x-amzn-requestid'),
          errorType: header(response, 'x-amzn-errortype'),
          date: header(response, 'date'),
        });
      });
    });
    request.end(call.body);
  });
}

function header(response: IncomingMessage, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
