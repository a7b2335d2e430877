import { describe, expect, it } from 'vitest';
import { InvalidBridgeOptionError, compileBridgeOptions, type BridgeOptions } from '../bridge-options.js';

const ARN = 'arn:aws:states:us-east-1:123456789012:activity:resize';

function options(overrides: Partial<BridgeOptions> = {}): BridgeOptions {
  return {
    connection: { host: '127.0.0.1', port: 1 },
    sfn: { region: 'us-east-1' },
    activities: [{ activityArn: ARN }],
    ...overrides,
  };
}

describe('fleet options, as compileBridgeOptions composes them', () => {
  it('defaults to a fleet on, a 15 s lease renewed every 5 s, a 60 s poll hold and the service’s 1,000 polls', () => {
    const compiled = compileBridgeOptions(options());
    expect(compiled.fleet).toEqual({
      enabled: true,
      leaseTtlMs: 15_000,
      pollHoldMs: 60_000,
      renewIntervalMs: 5_000,
    });
    expect(compiled.activities[0]?.fleetPolls).toBe(1000);
  });

  it('keeps what the caller gave', () => {
    const compiled = compileBridgeOptions(
      options({
        fleet: { enabled: false, leaseTtlMs: 3_000, pollHoldMs: 2_000 },
        activities: [{ activityArn: ARN, fleetPolls: 300 }],
      }),
    );
    expect(compiled.fleet).toEqual({
      enabled: false,
      leaseTtlMs: 3_000,
      pollHoldMs: 2_000,
      renewIntervalMs: 1_000,
    });
    expect(compiled.activities[0]?.fleetPolls).toBe(300);
  });

  it('names every bad fleet option with its path, value and rule, beside the other issues', () => {
    let caught: unknown;
    try {
      compileBridgeOptions(
        options({
          fleet: { leaseTtlMs: 100, pollHoldMs: Number.NaN, enabled: 'yes' as unknown as boolean },
          activities: [{ activityArn: ARN, fleetPolls: 1001, polls: 0 }],
        }),
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidBridgeOptionError);
    expect((caught as InvalidBridgeOptionError).issues).toEqual(
      expect.arrayContaining([
        { option: 'activities[0].polls', value: 0, rule: 'must be an integer 1–1000' },
        { option: 'activities[0].fleetPolls', value: 1001, rule: 'must be an integer 1–1000' },
        { option: 'fleet.enabled', value: 'yes', rule: 'must be true or false' },
        {
          option: 'fleet.leaseTtlMs',
          value: 100,
          rule: 'must be a finite number of milliseconds, at least 300',
        },
        {
          option: 'fleet.pollHoldMs',
          value: Number.NaN,
          rule: 'must be a finite number of milliseconds, at least 1',
        },
      ]),
    );
  });
});
