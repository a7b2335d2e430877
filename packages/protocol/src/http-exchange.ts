// One HTTP request and its whole answer over undici (Node's own HTTP/1.1 engine), with a silence
// timeout and a size cap: the transport under SfnActivityClient, which knows nothing of operations,
// signing or retries.
//
// Why undici and not node:http: per request it took about a quarter less CPU in our process (a POST of
// a 1 KB token with a 650-byte answer, 50 in flight on keep-alive sockets: 44–53 µs against 60–74 µs),
// and a task makes two such calls (the bridge's next poll, the worker's report).
import { Agent, errors } from 'undici';
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
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** Named in the errors, e.g. `SendTaskSuccess`. */
  operation: string;
}

/**
 * The keep-alive sockets of one client: at most `maxSockets` per origin, never shared with another
 * client, so a polling client's sockets never carry a Send* (docs/aws-sdk.md#separate-clients-for-polls-and-reports).
 */
export class HttpConnections {
  private readonly agent: Agent;
  private destroying: Promise<void> | undefined;

  constructor(maxSockets: number) {
    this.agent = new Agent({
      connections: maxSockets,
      // One request per socket at a time: a long poll must not hold up a request queued behind it.
      pipelining: 1,
      maxResponseSize: MAX_RESPONSE_BYTES,
      // Each call sets its own headersTimeout and bodyTimeout (a poll's are at least 65 s).
    });
  }

  /** POSTs the body and reads the answer; rejects on a network error, silence past `timeoutMs` or an oversized answer. */
  async exchange(call: ExchangeRequest): Promise<RawResponse> {
    const { target, operation, timeoutMs } = call;
    try {
      const response = await this.agent.request({
        origin: target.origin,
        path: target.path,
        method: 'POST',
        headers: call.headers,
        body: call.body,
        // Silence before the answer's headers, and between its chunks: for a poll at least 65 s, so only
        // a service that broke its own 60 s promise is given up on. No `signal`: nothing aborts a poll.
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        // POST is never replayed by undici on a broken socket; said here so no default can change it.
        idempotent: false,
      });
      const { headers } = response;
      return {
        status: response.statusCode,
        body: await response.body.text(),
        requestId: header(headers['x-amzn-requestid']),
        errorType: header(headers['x-amzn-errortype']),
        date: header(headers['date']),
      };
    } catch (error) {
      throw transportError(error, operation, timeoutMs);
    }
  }

  /** Closes every socket at once (calls in flight fail). Idempotent. */
  destroy(): Promise<void> {
    this.destroying ??= this.agent.destroy().catch(() => undefined);
    return this.destroying;
  }
}

/** undici's timeouts and size cap as our errors; a network error is passed on as it came (its `code` says what). */
function transportError(error: unknown, operation: string, timeoutMs: number): unknown {
  if (error instanceof errors.HeadersTimeoutError || error instanceof errors.BodyTimeoutError) {
    return new SfnRequestTimeoutError(`${operation}: no answer within ${timeoutMs} ms`, { cause: error });
  }
  if (error instanceof errors.ResponseExceededMaxSizeError) {
    return new SfnResponseError(`${operation}: answer larger than ${MAX_RESPONSE_BYTES} bytes`, {
      cause: error,
    });
  }
  return error;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
