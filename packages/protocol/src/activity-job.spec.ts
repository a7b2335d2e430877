import { describe, expect, it } from 'vitest';
import { jobIdForToken, parseTaskInput, tokenDigest } from './activity-job.js';

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
