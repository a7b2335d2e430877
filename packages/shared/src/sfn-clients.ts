// AWS SDK clients set up for what each caller does, for code that wants the SDK's
// `send()` (the bridge and worker use the leaner SfnActivityClient). Long polls need
// their own sockets, no retry and no timeout under 65 s (FACTS §4).
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { SFNClient, type SFNClientConfig } from '@aws-sdk/client-sfn';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import {
  InvalidClientOptionError,
  MIN_POLL_REQUEST_TIMEOUT_MS,
  type SfnConnectionOptions,
} from './activity-client.js';

export interface PollingClientOptions extends SfnConnectionOptions {
  /** Open polls this client must carry at once; sockets are sized above it. */
  maxConcurrentPolls: number;
  /**
   * How long a poll may stay silent before the client gives up on it. Must be
   * at least 65,000 (the service holds a poll up to 60 s). @default 75_000
   */
  pollRequestTimeoutMs?: number;
}

export interface SendClientOptions extends SfnConnectionOptions {
  /** Sockets for Send* calls. @default 64 */
  maxSockets?: number;
  /** Per-attempt timeout of a Send* call. @default 10_000 */
  requestTimeoutMs?: number;
  /** SDK attempts per Send* call (throttling, 5xx and network errors are retried with jitter). @default 3 */
  maxAttempts?: number;
}

/** A client for GetActivityTask only: its own agents, sockets above the polls, no retry. */
export function createPollingSfnClient(options: PollingClientOptions): SFNClient {
  const { maxConcurrentPolls } = options;
  if (!Number.isInteger(maxConcurrentPolls) || maxConcurrentPolls < 1) {
    throw new InvalidClientOptionError(
      `maxConcurrentPolls: must be a positive integer, got ${maxConcurrentPolls}`,
    );
  }
  const pollRequestTimeoutMs = options.pollRequestTimeoutMs ?? 75_000;
  if (!(pollRequestTimeoutMs >= MIN_POLL_REQUEST_TIMEOUT_MS)) {
    throw new InvalidClientOptionError(
      `pollRequestTimeoutMs: must be at least ${MIN_POLL_REQUEST_TIMEOUT_MS} (a poll is held up to 60 s), got ${pollRequestTimeoutMs}`,
    );
  }
  // A few sockets more than polls, so a replacement poll never waits for a socket.
  const maxSockets = maxConcurrentPolls + 16;
  return new SFNClient({
    ...connection(options),
    cacheMiddleware: true,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
      // Connecting is safe to time out: the request has not reached the service yet.
      connectionTimeout: 10_000,
      requestTimeout: pollRequestTimeoutMs,
      throwOnRequestTimeout: true,
    }),
  });
}

/** A client for SendTaskSuccess/Failure/Heartbeat and control calls: its own sockets, SDK retries on. */
export function createSendSfnClient(options: SendClientOptions = {}): SFNClient {
  const maxSockets = options.maxSockets ?? 64;
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const maxAttempts = options.maxAttempts ?? 3;
  if (!Number.isInteger(maxSockets) || maxSockets < 1) {
    throw new InvalidClientOptionError(`maxSockets: must be a positive integer, got ${maxSockets}`);
  }
  if (!(requestTimeoutMs > 0)) {
    throw new InvalidClientOptionError(`requestTimeoutMs: must be positive, got ${requestTimeoutMs}`);
  }
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new InvalidClientOptionError(`maxAttempts: must be a positive integer, got ${maxAttempts}`);
  }
  return new SFNClient({
    ...connection(options),
    cacheMiddleware: true,
    maxAttempts,
    requestHandler: new NodeHttpHandler({
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
      connectionTimeout: 5_000,
      requestTimeout: requestTimeoutMs,
      throwOnRequestTimeout: true,
    }),
  });
}

/**
 * Both factories set `cacheMiddleware`: the SDK then resolves a command's middleware stack once per command
 * class instead of on every call (profiled: about a fifth of a call's CPU; every token costs a poll and a
 * Send*). The price: middleware added to these clients after their first call is ignored; none is.
 */
function connection(options: SfnConnectionOptions): SFNClientConfig {
  const config: SFNClientConfig = {};
  if (options.region !== undefined) config.region = options.region;
  if (options.endpoint !== undefined) config.endpoint = options.endpoint;
  if (options.credentials !== undefined) config.credentials = options.credentials;
  return config;
}
