// The options of SfnActivityClient: where to connect (`SfnConnectionOptions`), how to call
// (`ActivityClientOptions`), and `compileActivityClientOptions()` that fills defaults and refuses what breaks the long-poll contract.
import type { SFNClientConfig } from '@aws-sdk/client-sfn';
import { InvalidClientOptionError } from './invalid-client-option-error.js';

export interface SfnConnectionOptions {
  /** AWS region. When absent, the SDK's standard chain (AWS_REGION, profile) decides. */
  region?: string;
  /** An endpoint other than AWS's, e.g. the emulator's `http://127.0.0.1:8083`. */
  endpoint?: string;
  /** Credentials or a provider of them; by default the SDK's standard provider chain. */
  credentials?: SFNClientConfig['credentials'];
}

/** The least time a client must allow a GetActivityTask call (docs/step-functions.md#long-polls). */
export const MIN_POLL_REQUEST_TIMEOUT_MS = 65_000;
/** What a client allows a GetActivityTask call by default: the service's 60 s hold and a margin. */
export const DEFAULT_POLL_REQUEST_TIMEOUT_MS = 75_000;

export interface ActivityClientOptions extends SfnConnectionOptions {
  /** Sockets per protocol; for a polling client, above the number of open polls. @default 64 */
  maxSockets?: number;
  /** How long a GetActivityTask may stay unanswered; at least 65,000 (held up to 60 s). @default 75_000 */
  pollRequestTimeoutMs?: number;
  /** Per-attempt timeout of a Send* call. @default 10_000 */
  requestTimeoutMs?: number;
  /** Attempts per Send* call (throttling, 5xx, network errors and clock skew retried with full jitter). @default 3 */
  maxAttempts?: number;
}

export interface CompiledActivityClientOptions extends SfnConnectionOptions {
  maxSockets: number;
  pollRequestTimeoutMs: number;
  requestTimeoutMs: number;
  maxAttempts: number;
}

/** Fills defaults and rejects values that would break the contract, naming the option. */
export function compileActivityClientOptions(options: ActivityClientOptions): CompiledActivityClientOptions {
  const compiled: CompiledActivityClientOptions = {
    ...options,
    maxSockets: options.maxSockets ?? 64,
    pollRequestTimeoutMs: options.pollRequestTimeoutMs ?? DEFAULT_POLL_REQUEST_TIMEOUT_MS,
    requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
    maxAttempts: options.maxAttempts ?? 3,
  };
  const { maxSockets, pollRequestTimeoutMs, requestTimeoutMs, maxAttempts } = compiled;
  if (!Number.isInteger(maxSockets) || maxSockets < 1) {
    throw new InvalidClientOptionError('maxSockets', maxSockets, 'must be a positive integer');
  }
  if (!(pollRequestTimeoutMs >= MIN_POLL_REQUEST_TIMEOUT_MS)) {
    throw new InvalidClientOptionError(
      'pollRequestTimeoutMs',
      pollRequestTimeoutMs,
      `must be at least ${MIN_POLL_REQUEST_TIMEOUT_MS} (a poll is held up to 60 s)`,
    );
  }
  if (!(requestTimeoutMs > 0)) {
    throw new InvalidClientOptionError('requestTimeoutMs', requestTimeoutMs, 'must be positive');
  }
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new InvalidClientOptionError('maxAttempts', maxAttempts, 'must be a positive integer');
  }
  if (options.endpoint !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(options.endpoint);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new InvalidClientOptionError('endpoint', options.endpoint, 'must be an http:// or https:// URL');
    }
    // The signer signs the path as it is; one that needs escaping would be signed wrong and refused.
    if (!/^[A-Za-z0-9\-._~/]*$/.test(url.pathname) || url.search !== '') {
      throw new InvalidClientOptionError(
        'endpoint',
        options.endpoint,
        'the path may hold only letters, digits and - . _ ~ /, and no query',
      );
    }
  }
  return compiled;
}

/** Sockets for a client carrying `maxConcurrentPolls` polls: a few more, so a replacement poll never waits for one. */
export function socketsForPolls(maxConcurrentPolls: number): number {
  if (!Number.isInteger(maxConcurrentPolls) || maxConcurrentPolls < 1) {
    throw new InvalidClientOptionError(
      'maxConcurrentPolls',
      maxConcurrentPolls,
      'must be a positive integer',
    );
  }
  return maxConcurrentPolls + 16;
}

/** The connection options as AWS SDK client config (absent options left to the SDK's own chains). */
export function sdkConnectionConfig(options: SfnConnectionOptions): SFNClientConfig {
  const config: SFNClientConfig = {};
  if (options.region !== undefined) config.region = options.region;
  if (options.endpoint !== undefined) config.endpoint = options.endpoint;
  if (options.credentials !== undefined) config.credentials = options.credentials;
  return config;
}
