import { describe, expect, it } from 'vitest';
import { InvalidActivityArnError, activityArn, parseActivityArn } from './activity-arn.js';

describe('parseActivityArn', () => {
  it('splits an activity ARN and builds it back', () => {
    const arn = 'arn:aws:states:us-east-1:123456789012:activity:resize-image';
    const parts = parseActivityArn(arn);
    expect(parts).toEqual({
      partition: 'aws',
      region: 'us-east-1',
      accountId: '123456789012',
      name: 'resize-image',
    });
    expect(activityArn(parts)).toBe(arn);
  });

  it('names the bad value', () => {
    expect(() => parseActivityArn('arn:aws:states:us-east-1:123456789012:stateMachine:x')).toThrow(
      InvalidActivityArnError,
    );
    expect(() => parseActivityArn('resize-image')).toThrow(/'resize-image'/);
  });
});
