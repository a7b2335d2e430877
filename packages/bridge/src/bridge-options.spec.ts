import { isInvalidOptionError } from '@sfn-bullmq/protocol';
import { describe, expect, it } from 'vitest';
import { compileBridgeOptions, InvalidBridgeOptionError, type BridgeOptions } from './bridge-options.js';

const ARN = 'arn:aws:states:us-east-1:123456789012:activity:resize';
const OTHER = 'arn:aws:states:us-east-1:123456789012:activity:thumbnail';

function options(overrides: Partial<BridgeOptions> = {}): BridgeOptions {
  return {
    connection: { host: '127.0.0.1', port: 1 },
    sfn: { region: 'us-east-1' },
    activities: [{ activityArn: ARN }],
    ...overrides,
  };
}

function errorOf(run: () => unknown): InvalidBridgeOptionError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidBridgeOptionError);
    expect(error).toBeInstanceOf(TypeError);
    return error as InvalidBridgeOptionError;
  }
  throw new Error('expected an InvalidBridgeOptionError');
}

describe('compileBridgeOptions', () => {
  it('fills the defaults', () => {
    const compiled = compileBridgeOptions(options());
    expect(compiled.prefix).toBe('bull');
    expect(compiled.pollRequestTimeoutMs).toBe(75_000);
    expect(compiled.drainTimeoutMs).toBe(80_000);
    expect(compiled.workerName.length).toBeGreaterThan(0);
    expect(compiled.workerName.length).toBeLessThanOrEqual(80);
    const [activity] = compiled.activities;
    expect(activity).toMatchObject({
      activityArn: ARN,
      activityName: 'resize',
      queueName: 'resize',
      polls: 100,
      maxWaiting: 1000,
      resumeBelow: 500,
      enqueueDeadlineMs: 30_000,
      maxHeldTokens: 100,
      jobOptions: {
        attempts: 1,
        removeOnComplete: { age: 86_400, count: 10_000 },
        removeOnFail: { age: 604_800, count: 50_000 },
      },
    });
  });

  it('refuses evicting Redis by default and takes only a boolean opt-out', () => {
    expect(compileBridgeOptions(options()).unsafeAllowEvictionPolicy).toBe(false);
    expect(compileBridgeOptions(options({ unsafeAllowEvictionPolicy: true })).unsafeAllowEvictionPolicy).toBe(
      true,
    );
    const error = errorOf(() =>
      compileBridgeOptions({ ...options(), unsafeAllowEvictionPolicy: 'yes' as unknown as boolean }),
    );
    expect(error.message).toBe("unsafeAllowEvictionPolicy: must be true or false, got 'yes'");
  });

  it('names the option and the value of a pool size out of range', () => {
    const error = errorOf(() =>
      compileBridgeOptions(
        options({ activities: [{ activityArn: ARN }, { activityArn: OTHER, polls: 5000 }] }),
      ),
    );
    expect(error.name).toBe('InvalidBridgeOptionError');
    expect(error.message).toBe('activities[1].polls: must be an integer 1–1000, got 5000');
  });

  it.each([
    [{ activities: [{ activityArn: 'arn:aws:states:us-east-1:1:activity:x' }] }, 'activities[0].activityArn'],
    [
      { activities: [{ activityArn: ARN, queueName: 'a:b' }] },
      "activities[0].queueName: must be a non-empty string without ':', got 'a:b'",
    ],
    [{ activities: [{ activityArn: ARN, polls: 0 }] }, 'activities[0].polls'],
    [{ activities: [{ activityArn: ARN, polls: 1.5 }] }, 'activities[0].polls'],
    [{ activities: [{ activityArn: ARN, enqueueDeadlineMs: 0 }] }, 'activities[0].enqueueDeadlineMs'],
    [{ activities: [{ activityArn: ARN, enqueueDeadlineMs: -5 }] }, 'activities[0].enqueueDeadlineMs'],
    [{ activities: [{ activityArn: ARN, maxWaiting: 10, resumeBelow: 11 }] }, 'activities[0].resumeBelow'],
    [
      { activities: [{ activityArn: ARN }, { activityArn: ARN }] },
      'activities[1].activityArn: appears twice',
    ],
    [
      { activities: [{ activityArn: ARN }, { activityArn: OTHER, queueName: 'resize' }] },
      'activities[1].queueName',
    ],
    [{ activities: [] }, 'activities: must be a non-empty array'],
    [{ pollRequestTimeoutMs: 30_000 }, 'pollRequestTimeoutMs: must be at least 65000'],
    [{ drainTimeoutMs: 0 }, 'drainTimeoutMs'],
    [{ sfn: { endpoint: 'localhost:8083' } }, 'sfn.endpoint: must be an http:// or https:// URL'],
    [{ workerName: 'x'.repeat(81) }, 'workerName: must be 1–80 characters'],
    [
      { activities: [{ activityArn: ARN, jobOptions: { removeOnComplete: {} } }] },
      'activities[0].jobOptions.removeOnComplete',
    ],
  ] as [Partial<BridgeOptions>, string][])('rejects %j naming the option', (overrides, expected) => {
    expect(errorOf(() => compileBridgeOptions(options(overrides))).message).toContain(expected);
  });

  it('keeps retention and attempts given by the caller', () => {
    const compiled = compileBridgeOptions(
      options({
        activities: [
          {
            activityArn: ARN,
            jobOptions: { attempts: 3, removeOnComplete: { count: 5 }, removeOnFail: true },
          },
        ],
      }),
    );
    expect(compiled.activities[0]?.jobOptions).toEqual({
      attempts: 3,
      removeOnComplete: { count: 5 },
      removeOnFail: true,
    });
  });
});

describe('compileBridgeOptions gathering issues', () => {
  it('reports every bad option at once, each with its path, value and rule', () => {
    const error = errorOf(() =>
      compileBridgeOptions(
        options({
          drainTimeoutMs: 0,
          activities: [
            { activityArn: ARN, polls: 5000 },
            { activityArn: OTHER, resumeBelow: 0, jobOptions: { removeOnFail: { age: 0 } } },
          ],
        }),
      ),
    );
    expect(error.issues).toEqual([
      { option: 'activities[0].polls', value: 5000, rule: 'must be an integer 1–1000' },
      { option: 'activities[1].resumeBelow', value: 0, rule: 'must be an integer 1–1000' },
      {
        option: 'activities[1].jobOptions.removeOnFail.age',
        value: 0,
        rule: 'must be an integer at least 1',
      },
      { option: 'drainTimeoutMs', value: 0, rule: 'must be a positive, finite number of milliseconds' },
    ]);
    expect(error).toMatchObject({ option: 'activities[0].polls', value: 5000 });
    expect(error.message.split('\n')).toEqual([
      '4 invalid options:',
      '  activities[0].polls: must be an integer 1–1000, got 5000',
      '  activities[1].resumeBelow: must be an integer 1–1000, got 0',
      '  activities[1].jobOptions.removeOnFail.age: must be an integer at least 1, got 0',
      '  drainTimeoutMs: must be a positive, finite number of milliseconds, got 0',
    ]);
    expect(isInvalidOptionError(error)).toBe(true);
  });

  it('takes resumeBelow equal to maxWaiting, retention false and an enqueue deadline that is not whole', () => {
    const [activity] = compileBridgeOptions(
      options({
        activities: [
          {
            activityArn: ARN,
            maxWaiting: 10,
            resumeBelow: 10,
            enqueueDeadlineMs: 1500.5,
            jobOptions: { removeOnComplete: false, removeOnFail: { age: 10 * 365 * 86_400 } },
          },
        ],
      }),
    ).activities;
    expect(activity).toMatchObject({
      resumeBelow: 10,
      enqueueDeadlineMs: 1500.5,
      jobOptions: { removeOnComplete: false, removeOnFail: { age: 10 * 365 * 86_400 } },
    });
  });
});
