// Options of queued-task heartbeats (docs/step-functions.md#queued-heartbeats): the interval per activity,
// the budget and the duty lock per bridge. Pure compile, each rule once; bridge-options.ts composes them.
import type { OptionIssue } from '@sfn-bullmq/protocol';

/** Per activity (`ActivityPollerOptions` extends this). */
export interface QueuedHeartbeatActivityOptions {
  /**
   * Longest a task waiting in the queue (waiting, delayed, prioritized) goes without a SendTaskHeartbeat
   * from the bridge. Must be below the smallest `HeartbeatSeconds` of the state machines that use the
   * activity, less the worker's own first heartbeat. `0` turns queued heartbeats off. @default 20_000
   */
  queuedHeartbeatIntervalMs?: number;
}

/** Per bridge (`BridgeOptions` extends this). */
export interface QueuedHeartbeatBridgeOptions {
  /**
   * SendTaskHeartbeat calls per second this bridge makes for waiting tasks, all activities together. They
   * come out of the account's SendTaskHeartbeat bucket (500/s refill in the big regions), shared with the
   * workers' heartbeats; the bridge halves its rate on throttling and recovers over ten seconds. @default 100
   */
  queuedHeartbeatsPerSecond?: number;
  /**
   * How long a bridge's duty to heartbeat one queue outlives the bridge: one bridge per queue holds it and
   * renews it about every second; when it dies another takes over after this. @default 15_000
   */
  queuedHeartbeatDutyTtlMs?: number;
}

export interface CompiledQueuedHeartbeatBridgeOptions {
  perSecond: number;
  dutyTtlMs: number;
}

export const DEFAULT_QUEUED_HEARTBEAT_INTERVAL_MS = 20_000;
export const DEFAULT_QUEUED_HEARTBEATS_PER_SECOND = 100;
export const DEFAULT_QUEUED_HEARTBEAT_DUTY_TTL_MS = 15_000;
/** Below this the bridge would heartbeat faster than its own tick and Redis round trips can follow. */
const MIN_QUEUED_HEARTBEAT_INTERVAL_MS = 200;
const MIN_DUTY_TTL_MS = 1_000;

interface Compiled<T> {
  value: T;
  issues: OptionIssue[];
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** `queuedHeartbeatIntervalMs` of one activity (0 = off); `option` is the activity's path. */
export function compileQueuedHeartbeatInterval(
  options: QueuedHeartbeatActivityOptions,
  option: string,
): Compiled<number> {
  const value = options.queuedHeartbeatIntervalMs;
  if (value === undefined) return { value: DEFAULT_QUEUED_HEARTBEAT_INTERVAL_MS, issues: [] };
  if (isNumber(value) && (value === 0 || value >= MIN_QUEUED_HEARTBEAT_INTERVAL_MS)) {
    return { value, issues: [] };
  }
  return {
    value: DEFAULT_QUEUED_HEARTBEAT_INTERVAL_MS,
    issues: [
      {
        option: `${option}.queuedHeartbeatIntervalMs`,
        value,
        rule: `must be 0 (off) or at least ${MIN_QUEUED_HEARTBEAT_INTERVAL_MS} ms, below the smallest HeartbeatSeconds of the activity's state machines`,
      },
    ],
  };
}

/** The bridge-wide part: budget and duty lock. */
export function compileQueuedHeartbeatBridgeOptions(
  options: QueuedHeartbeatBridgeOptions,
): Compiled<CompiledQueuedHeartbeatBridgeOptions> {
  const issues: OptionIssue[] = [];
  const perSecond = options.queuedHeartbeatsPerSecond ?? DEFAULT_QUEUED_HEARTBEATS_PER_SECOND;
  if (!isNumber(perSecond) || perSecond <= 0) {
    issues.push({
      option: 'queuedHeartbeatsPerSecond',
      value: perSecond,
      rule: 'must be a positive number (SendTaskHeartbeat calls per second; the account bucket refills 500/s in the big regions)',
    });
  }
  const dutyTtlMs = options.queuedHeartbeatDutyTtlMs ?? DEFAULT_QUEUED_HEARTBEAT_DUTY_TTL_MS;
  if (!isNumber(dutyTtlMs) || dutyTtlMs < MIN_DUTY_TTL_MS) {
    issues.push({
      option: 'queuedHeartbeatDutyTtlMs',
      value: dutyTtlMs,
      rule: `must be at least ${MIN_DUTY_TTL_MS} ms (the duty is renewed about every second)`,
    });
  }
  return {
    value: {
      perSecond: issues.some((i) => i.option === 'queuedHeartbeatsPerSecond')
        ? DEFAULT_QUEUED_HEARTBEATS_PER_SECOND
        : perSecond,
      dutyTtlMs: issues.some((i) => i.option === 'queuedHeartbeatDutyTtlMs')
        ? DEFAULT_QUEUED_HEARTBEAT_DUTY_TTL_MS
        : dutyTtlMs,
    },
    issues,
  };
}
