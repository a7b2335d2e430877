import { describe, expect, it } from 'vitest';
import {
  INVALID_JOB_ERROR,
  InvalidJobError,
  isInvalidJobError,
  jobIdForToken,
  parseActivityJob,
  parseTaskInput,
  tokenDigest,
  type ActivityJobData,
} from './activity-job.js';

describe('jobIdForToken', () => {
  it('gives the same id for the same token and different ids for different tokens', () => {
    expect(jobIdForToken('token-a')).toBe(jobIdForToken('token-a'));
    expect(jobIdForToken('token-a')).not.toBe(jobIdForToken('token-b'));
  });

  it('makes ids BullMQ accepts: no colon, not all digits', () => {
    const id = jobIdForToken('arn:aws:states:us-east-1:123:activity:x:12345');
    expect(id).not.toContain(':');
    expect(id).not.toMatch(/^\d+$/);
    expect(id).toMatch(/^tk-[0-9a-f]{64}$/);
  });
});

describe('tokenDigest', () => {
  it('is short and does not contain the token', () => {
    const token = 'A'.repeat(2048);
    expect(tokenDigest(token)).toHaveLength(12);
    expect(token).not.toContain(tokenDigest(token));
  });
});

describe('parseTaskInput', () => {
  it('parses JSON input', () => {
    expect(parseTaskInput('{"a":[1,2]}')).toEqual({ input: { a: [1, 2] }, inputIsRaw: false });
  });

  it('keeps input that is not JSON as a string instead of dropping it', () => {
    expect(parseTaskInput('not json {')).toEqual({ input: 'not json {', inputIsRaw: true });
  });

  it('treats a missing input as an empty object', () => {
    expect(parseTaskInput(undefined)).toEqual({ input: {}, inputIsRaw: false });
  });
});

describe('parseActivityJob', () => {
  const valid: ActivityJobData = {
    taskToken: 'token-1',
    input: { n: 1 },
    activityArn: 'arn:aws:states:us-east-1:123456789012:activity:resize',
    workerName: 'bridge-1',
    receivedAt: 1_700_000_000_000,
  };

  it('returns the same data, typed, keeping fields of the caller’s own', () => {
    const data = { ...valid, inputIsRaw: false, traceId: 'abc' };
    expect(parseActivityJob(data)).toBe(data);
    expect(parseActivityJob({ ...valid, input: 'raw {', inputIsRaw: true })).toMatchObject({
      input: 'raw {',
    });
    expect(parseActivityJob({ ...valid, input: null, workerName: '' })).toMatchObject({ input: null });
  });

  const bad: Array<[string, unknown, string]> = [
    ['data', null, 'data must be an object (ActivityJobData), got null'],
    ['data', [valid], 'data must be an object (ActivityJobData), got an array'],
    ['activityArn', { ...valid, activityArn: undefined }, 'activityArn must be a string, got undefined'],
    ['activityArn', { ...valid, activityArn: 42 }, 'activityArn must be a string, got 42'],
    [
      'activityArn',
      { ...valid, activityArn: 'resize' },
      "must be an activity ARN (arn:aws:states:<region>:<account>:activity:<name>), got 'resize'",
    ],
    [
      'taskToken',
      { ...valid, taskToken: undefined },
      'taskToken must be a string of 1–2048 characters, got undefined',
    ],
    ['taskToken', { ...valid, taskToken: '' }, "got ''"],
    ['taskToken', { ...valid, taskToken: 'T'.repeat(2049) }, 'got a string of 2049 characters'],
    [
      'workerName',
      { ...valid, workerName: 7 },
      'workerName must be a string of at most 80 characters, got 7',
    ],
    [
      'receivedAt',
      { ...valid, receivedAt: '2024-01-01' },
      "receivedAt must be epoch milliseconds (a finite number ≥ 0), got '2024-01-01'",
    ],
    ['receivedAt', { ...valid, receivedAt: Number.NaN }, 'got NaN'],
    ['input', { ...valid, input: undefined }, 'input must be present (the parsed task input), got undefined'],
    ['inputIsRaw', { ...valid, inputIsRaw: 'yes' }, "inputIsRaw must be true, false or absent, got 'yes'"],
    [
      'input',
      { ...valid, input: { a: 1 }, inputIsRaw: true },
      'input must be a string when inputIsRaw is true, got an object',
    ],
  ];

  it.each(bad)('refuses a bad %s with one InvalidJobError naming the field', (field, data, message) => {
    let thrown: unknown;
    try {
      parseActivityJob(data);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidJobError);
    expect(isInvalidJobError(thrown)).toBe(true);
    expect(thrown).toMatchObject({ name: 'InvalidJobError', code: INVALID_JOB_ERROR, field });
    const text = (thrown as Error).message;
    expect(text.startsWith(`${INVALID_JOB_ERROR}: `)).toBe(true);
    expect(text).toContain(message);
  });

  it('never puts a whole token in the message', () => {
    const token = 'S'.repeat(3000);
    expect(() => parseActivityJob({ ...valid, taskToken: token })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('SSSSSSSSSS') as unknown }),
    );
  });
});
