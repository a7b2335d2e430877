import { tokenDigest } from '@sfn-bullmq/shared';
import { describe, expect, it } from 'vitest';
import { maskJobData } from './board.js';

describe('maskJobData', () => {
  it('replaces the task token by its digest and keeps the rest', () => {
    const token = 'T'.repeat(1000);
    const data = { taskToken: token, input: { a: 1 }, workerName: 'w' };
    const masked = maskJobData(data) as Record<string, unknown>;
    expect(masked).toEqual({
      taskToken: `<masked, sha256 ${tokenDigest(token)}…>`,
      input: { a: 1 },
      workerName: 'w',
    });
    expect(JSON.stringify(masked)).not.toContain('TTTT');
    // The job itself is not changed, only what the board shows.
    expect(data.taskToken).toBe(token);
  });

  it('leaves data without a token as it is', () => {
    expect(maskJobData({ a: 1 })).toEqual({ a: 1 });
    expect(maskJobData('text')).toBe('text');
    expect(maskJobData(null)).toBe(null);
  });
});
