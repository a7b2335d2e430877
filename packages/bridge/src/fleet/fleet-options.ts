// The fleet's options: `fleetPolls` per activity and the lease's timing per bridge, compiled once
// (pure, no I/O). `bridge-options.ts` composes them; each rule is written here only.
import { SFN_LIMITS, type OptionIssue } from '@sfn-bullmq/protocol';

/** Per activity: the share of the service's poll limit that every bridge on this ARN divides. */
export interface ActivityFleetOptions {
  /**
   * Open polls on this ARN across every bridge that polls it (they meet in Redis), 1–1,000. Lower it when
   * other pollers share the activity. Each bridge holds an even split, capped by its own `polls`.
   * @default 1000 (the service's limit per ARN, docs/step-functions.md#limits)
   */
  fleetPolls?: number;
}

/** Per bridge: how the bridges on one ARN share its budget through Redis. */
export interface FleetOptions {
  /** Coordinate with the other bridges on each ARN. Off: this bridge counts only its own `polls`. @default true */
  enabled?: boolean;
  /**
   * The lease each bridge holds per ARN, renewed every third of it. A bridge that dies without a goodbye
   * has its share reclaimed after this plus `pollHoldMs`. @default 15_000
   */
  leaseTtlMs?: number;
  /**
   * How long the service may hold a poll open: the polls of a bridge whose lease ran out still count for
   * this long. @default 60_000 (Step Functions holds a poll up to 60 s, docs/step-functions.md#long-polls)
   */
  pollHoldMs?: number;
}

export interface BridgeFleetOptions {
  /** @default on, with a 15 s lease */
  fleet?: FleetOptions;
}

export interface CompiledActivityFleetOptions {
  fleetPolls: number;
}

export interface CompiledFleetOptions {
  enabled: boolean;
  leaseTtlMs: number;
  pollHoldMs: number;
  /** leaseTtlMs / 3. */
  renewIntervalMs: number;
}

const DEFAULT_LEASE_TTL_MS = 15_000;
const DEFAULT_POLL_HOLD_MS = 60_000;
/** A lease shorter than this would be renewed more often than a loaded Redis answers. */
const MIN_LEASE_TTL_MS = 300;

export interface Compiled<T> {
  value: T;
  issues: OptionIssue[];
}

/** One activity's `fleetPolls`; `option` prefixes the path (`activities[0]`). */
export function compileActivityFleetOptions(
  options: ActivityFleetOptions,
  option: string,
): Compiled<CompiledActivityFleetOptions> {
  const max = SFN_LIMITS.pollsPerActivityMax;
  const value = options.fleetPolls ?? max;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    return {
      value: { fleetPolls: max },
      issues: [{ option: `${option}.fleetPolls`, value, rule: `must be an integer 1–${max}` }],
    };
  }
  return { value: { fleetPolls: value }, issues: [] };
}

/** The bridge's `fleet` options. */
export function compileFleetOptions(options: FleetOptions | undefined): Compiled<CompiledFleetOptions> {
  const issues: OptionIssue[] = [];
  const given: FleetOptions = typeof options === 'object' && options !== null ? options : {};
  if (options !== undefined && given !== options) {
    issues.push({ option: 'fleet', value: options, rule: 'must be an object' });
  }
  const enabled = given.enabled ?? true;
  if (typeof enabled !== 'boolean')
    issues.push({ option: 'fleet.enabled', value: enabled, rule: 'must be true or false' });
  const ms = (name: 'leaseTtlMs' | 'pollHoldMs', fallback: number, min: number): number => {
    const value = given[name] ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
      issues.push({
        option: `fleet.${name}`,
        value,
        rule: `must be a finite number of milliseconds, at least ${min}`,
      });
      return fallback;
    }
    return value;
  };
  const leaseTtlMs = ms('leaseTtlMs', DEFAULT_LEASE_TTL_MS, MIN_LEASE_TTL_MS);
  const pollHoldMs = ms('pollHoldMs', DEFAULT_POLL_HOLD_MS, 1);
  return {
    value: { enabled: enabled === true, leaseTtlMs, pollHoldMs, renewIntervalMs: leaseTtlMs / 3 },
    issues,
  };
}
