// AWS SDK clients set up for what each caller does, for code that wants the SDK's
// `send()` (the bridge and worker use the leaner SfnActivityClient). Long polls need
// their own sockets, no retry and no timeout under 65 s (docs/aws-sdk.md). Defaults and checks
// are SfnActivityClient's own (`compileActivityClientOptions`), so the two kinds never drift.
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { SFNClient } from '@aws-sdk/client-sfn';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import {
  compileActivityClientOptions,
  sdkConnectionConfig,
  socketsForPolls,
  type SfnConnectionOptions,
} from './activity-client-options.js';

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
  const { maxConcurrentPolls, ...rest } = options;
  const compiled = compileActivityClientOptions({ ...rest, maxSockets: socketsForPolls(maxConcurrentPolls) });
  return sdkClient(compiled, {
    maxAttempts: 1,
    // Connecting is safe to time out: the request has not reached the service yet.
    connectionTimeoutMs: 10_000,
    requestTimeoutMs: compiled.pollRequestTimeoutMs,
  });
}

/** A client for SendTaskSuccess/Failure/Heartbeat and control calls: its own sockets, SDK retries on. */
export function createSendSfnClient(options: SendClientOptions = {}): SFNClient {
  const compiled = compileActivityClientOptions(options);
  return sdkClient(compiled, {
    maxAttempts: compiled.maxAttempts,
    connectionTimeoutMs: 5_000,
    requestTimeoutMs: compiled.requestTimeoutMs,
  });
}

/**
 * Both factories set `cacheMiddleware`: the SDK then resolves a command's middleware stack once per command
 * class instead of on every call (profiled: about a fifth of a call's CPU; every token costs a poll and a
 * Send*). The price: middleware added to these clients after their first call is ignored; none is.
 */
function sdkClient(
  options: SfnConnectionOptions & { maxSockets: number },
  call: { maxAttempts: number; connectionTimeoutMs: number; requestTimeoutMs: number },
): SFNClient {
  const { maxSockets } = options;
  return new SFNClient({
    ...sdkConnectionConfig(options),
    cacheMiddleware: true,
    maxAttempts: call.maxAttempts,
    requestHandler: new NodeHttpHandler({
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
      connectionTimeout: call.connectionTimeoutMs,
      requestTimeout: call.requestTimeoutMs,
      throwOnRequestTimeout: true,
    }),
  });
}
