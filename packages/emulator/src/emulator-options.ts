// The emulator's options: public `EmulatorOptions`, compiled once at start into
// `CompiledEmulatorOptions` with every default filled; a bad option fails naming itself.
import { AWS_LIMITS } from './aws-limits.js';
import { compileFaults, InvalidFaultError, type EmulatorFaults } from './faults.js';
import { defaultBuckets, type BucketSpec, type ThrottleOption } from './throttle.js';
import { isValidResourceName } from './validation.js';

export interface EmulatorOptions {
  /** TCP port; 0 picks a free one. @default 0 */
  port?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** Region in ARNs. @default 'us-east-1' */
  region?: string;
  /** Account id in ARNs. @default '123456789012' */
  accountId?: string;
  /** How long a GetActivityTask is held before answering `{}`. @default 60_000 */
  pollTimeoutMs?: number;
  /** Open polls per activity before ActivityWorkerLimitExceeded. @default 1000 */
  maxPollsPerActivity?: number;
  /** Activities created at start. @default [] */
  activities?: string[];
  /** Faults in force from the start. @default no faults */
  faults?: Partial<EmulatorFaults>;
  /**
   * Token buckets per API: `true` uses AWS's defaults for the region (docs/step-functions.md#limits); an object
   * gives buckets per operation name (`'*'` for the rest; unlisted operations unthrottled
   * without `'*'`). @default false
   */
  throttle?: ThrottleOption;
  /**
   * Time to receive a whole request, headers and body, before the connection is answered 408 and closed
   * (Node's `server.requestTimeout`). It ends when the request is in, so a long poll's held response is not
   * cut by it; 0 turns it off. @default 30_000
   */
  requestTimeoutMs?: number;
  /** Time to receive a request's headers (Node's `server.headersTimeout`); at most `requestTimeoutMs`. @default the smaller of 10_000 and requestTimeoutMs */
  headersTimeoutMs?: number;
  /** Largest request body accepted; a larger one is answered 413 as AWS's front end does (docs/step-functions.md#wire-protocol). @default 1_049_600 */
  maxRequestBytes?: number;
  /**
   * After a 413, how long the rest of the oversize body is read and thrown away before the connection
   * closes: closing with unread data makes TCP send a reset, which can destroy the 413 before the client
   * reads it. @default 5_000
   */
  oversizeLingerMs?: number;
}

export interface CompiledEmulatorOptions {
  port: number;
  host: string;
  region: string;
  accountId: string;
  pollTimeoutMs: number;
  maxPollsPerActivity: number;
  activities: string[];
  faults: EmulatorFaults;
  /** Undefined when throttling is off. */
  throttle: Record<string, BucketSpec> | undefined;
  /** 0 when off. */
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  maxRequestBytes: number;
  oversizeLingerMs: number;
}

/** AWS's front end refuses request bodies over this many bytes with 413 (docs/step-functions.md#wire-protocol). */
export const MAX_REQUEST_BYTES = 1_049_600;

/**
 * An emulator option with a bad value. It has the fields every invalid-option error of ours has
 * (`option`, `value`, `rule`) by itself, since the emulator imports nothing of ours.
 */
export class InvalidEmulatorOptionError extends TypeError {
  override readonly name = 'InvalidEmulatorOptionError';
  constructor(
    readonly option: string,
    readonly value: unknown,
    readonly rule: string,
  ) {
    super(`${option}: ${rule}, got ${JSON.stringify(value) ?? String(value)}`);
  }
}

export function compileEmulatorOptions(options: EmulatorOptions = {}): CompiledEmulatorOptions {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidEmulatorOptionError('port', port, 'must be an integer from 0 to 65535');
  }
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '') {
    throw new InvalidEmulatorOptionError('host', host, 'must be a non-empty string');
  }
  const region = options.region ?? 'us-east-1';
  if (typeof region !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new InvalidEmulatorOptionError('region', region, 'must be a region name like us-east-1');
  }
  const accountId = options.accountId ?? '123456789012';
  if (typeof accountId !== 'string' || !/^\d{12}$/.test(accountId)) {
    throw new InvalidEmulatorOptionError('accountId', accountId, 'must be 12 digits');
  }
  const pollTimeoutMs = options.pollTimeoutMs ?? 60_000;
  if (typeof pollTimeoutMs !== 'number' || !(pollTimeoutMs >= 1 && pollTimeoutMs <= 600_000)) {
    throw new InvalidEmulatorOptionError('pollTimeoutMs', pollTimeoutMs, 'must be from 1 to 600000 ms');
  }
  const maxPollsPerActivity = options.maxPollsPerActivity ?? AWS_LIMITS.pollsPerActivityMax;
  if (!Number.isInteger(maxPollsPerActivity) || maxPollsPerActivity < 1) {
    throw new InvalidEmulatorOptionError(
      'maxPollsPerActivity',
      maxPollsPerActivity,
      'must be a positive integer',
    );
  }
  const activities = options.activities ?? [];
  if (!Array.isArray(activities)) {
    throw new InvalidEmulatorOptionError('activities', activities, 'must be an array of names');
  }
  for (const name of activities) {
    if (typeof name !== 'string' || name.length < 1 || name.length > 80 || !isValidResourceName(name)) {
      throw new InvalidEmulatorOptionError(
        'activities',
        name,
        'must hold valid activity names (1–80 characters)',
      );
    }
  }
  let faults: EmulatorFaults;
  try {
    faults = compileFaults(options.faults);
  } catch (error) {
    if (error instanceof InvalidFaultError) {
      throw new InvalidEmulatorOptionError(`faults.${error.field}`, error.value, error.expected);
    }
    throw error;
  }
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  if (!Number.isInteger(requestTimeoutMs) || requestTimeoutMs < 0 || requestTimeoutMs > 3_600_000) {
    throw new InvalidEmulatorOptionError(
      'requestTimeoutMs',
      requestTimeoutMs,
      'must be an integer from 0 (off) to 3600000 ms',
    );
  }
  const headersLimitMs = requestTimeoutMs === 0 ? 3_600_000 : requestTimeoutMs;
  const headersTimeoutMs = options.headersTimeoutMs ?? Math.min(10_000, headersLimitMs);
  if (!Number.isInteger(headersTimeoutMs) || headersTimeoutMs < 1 || headersTimeoutMs > headersLimitMs) {
    throw new InvalidEmulatorOptionError(
      'headersTimeoutMs',
      headersTimeoutMs,
      `must be an integer from 1 to ${headersLimitMs} ms (at most requestTimeoutMs)`,
    );
  }
  const maxRequestBytes = options.maxRequestBytes ?? MAX_REQUEST_BYTES;
  if (!Number.isInteger(maxRequestBytes) || maxRequestBytes < 1) {
    throw new InvalidEmulatorOptionError('maxRequestBytes', maxRequestBytes, 'must be a positive integer');
  }
  const oversizeLingerMs = options.oversizeLingerMs ?? 5_000;
  if (!Number.isInteger(oversizeLingerMs) || oversizeLingerMs < 0 || oversizeLingerMs > 600_000) {
    throw new InvalidEmulatorOptionError(
      'oversizeLingerMs',
      oversizeLingerMs,
      'must be an integer from 0 to 600000 ms',
    );
  }
  return {
    port,
    host,
    region,
    accountId,
    pollTimeoutMs,
    maxPollsPerActivity,
    activities: [...activities],
    faults,
    throttle: compileThrottle(options.throttle, region),
    requestTimeoutMs,
    headersTimeoutMs,
    maxRequestBytes,
    oversizeLingerMs,
  };
}

function compileThrottle(
  option: ThrottleOption | undefined,
  region: string,
): Record<string, BucketSpec> | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true) return defaultBuckets(region);
  if (typeof option !== 'object' || option === null || Array.isArray(option)) {
    throw new InvalidEmulatorOptionError('throttle', option, 'must be a boolean or buckets per operation');
  }
  const specs: Record<string, BucketSpec> = {};
  for (const [operation, spec] of Object.entries(option)) {
    const valid =
      typeof spec === 'object' &&
      spec !== null &&
      typeof spec.bucket === 'number' &&
      spec.bucket >= 1 &&
      typeof spec.refillPerSecond === 'number' &&
      spec.refillPerSecond >= 0;
    if (!valid) {
      throw new InvalidEmulatorOptionError(
        `throttle.${operation}`,
        spec,
        'must be { bucket >= 1, refillPerSecond >= 0 }',
      );
    }
    specs[operation] = { bucket: spec.bucket, refillPerSecond: spec.refillPerSecond };
  }
  return specs;
}
