// Token buckets per API, with AWS's default quotas, so clients can be tested
// against `ThrottlingException` "Rate exceeded" as a real account answers it.

export interface BucketSpec {
  /** Burst: tokens the bucket holds when full. */
  bucket: number;
  /** Tokens added per second. */
  refillPerSecond: number;
}

export type ThrottleOption = boolean | Record<string, BucketSpec>;

/** Regions where AWS's larger defaults apply (docs/step-functions.md#limits). */
const LARGE_REGIONS = new Set(['us-east-1', 'us-west-2', 'eu-west-1']);

/**
 * AWS's default buckets for `region`. The task APIs and StartExecution are from docs/step-functions.md#limits;
 * the control-plane numbers follow AWS's published quota table as far as we know it
 * (unconfirmed) and every other API falls back to `*`.
 */
export function defaultBuckets(region: string): Record<string, BucketSpec> {
  const large = LARGE_REGIONS.has(region);
  const task: BucketSpec = large
    ? { bucket: 3000, refillPerSecond: 500 }
    : { bucket: 1500, refillPerSecond: 300 };
  return {
    GetActivityTask: task,
    SendTaskSuccess: task,
    SendTaskFailure: task,
    SendTaskHeartbeat: task,
    StartExecution: large ? { bucket: 1300, refillPerSecond: 300 } : { bucket: 800, refillPerSecond: 150 },
    StopExecution: large ? { bucket: 1000, refillPerSecond: 200 } : { bucket: 500, refillPerSecond: 25 },
    DescribeExecution: { bucket: 250, refillPerSecond: 15 },
    GetExecutionHistory: { bucket: 400, refillPerSecond: 20 },
    '*': { bucket: 100, refillPerSecond: 5 },
  };
}

class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly spec: BucketSpec,
    now: number,
  ) {
    this.tokens = spec.bucket;
    this.updatedAt = now;
  }

  take(now: number): boolean {
    const elapsedS = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.spec.bucket, this.tokens + elapsedS * this.spec.refillPerSecond);
    this.updatedAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** One bucket per API; APIs without their own spec share the `*` spec but not its bucket. */
export class Throttler {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly specs: Record<string, BucketSpec>,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when the call may proceed (a token was taken). */
  admit(operation: string): boolean {
    let bucket = this.buckets.get(operation);
    if (bucket === undefined) {
      const spec = this.specs[operation] ?? this.specs['*'];
      if (spec === undefined) return true;
      bucket = new TokenBucket(spec, this.now());
      this.buckets.set(operation, bucket);
    }
    return bucket.take(this.now());
  }
}
