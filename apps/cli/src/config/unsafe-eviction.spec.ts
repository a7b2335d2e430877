import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { compileConfig } from './compile-config.js';

const ARN = 'arn:aws:states:us-east-1:123456789012:activity:resize-image';

describe('redis.unsafeAllowEvictionPolicy', () => {
  it('is off unless the file turns it on', () => {
    expect(compileConfig({ activities: [{ arn: ARN }] }).redis.unsafeAllowEvictionPolicy).toBeUndefined();
    expect(
      compileConfig({ redis: { unsafeAllowEvictionPolicy: false }, activities: [{ arn: ARN }] }).redis
        .unsafeAllowEvictionPolicy,
    ).toBeUndefined();
    expect(
      compileConfig({ redis: { unsafeAllowEvictionPolicy: true }, activities: [{ arn: ARN }] }).redis
        .unsafeAllowEvictionPolicy,
    ).toBe(true);
  });

  it('takes only a boolean', () => {
    expect(() =>
      compileConfig({ redis: { unsafeAllowEvictionPolicy: 'yes' }, activities: [{ arn: ARN }] }),
    ).toThrow(ConfigError);
  });
});
