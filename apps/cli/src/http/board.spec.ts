import { jobIdForToken, tokenDigest } from '@sfn-bullmq/protocol';
import { describe, expect, it } from 'vitest';
import { checkJobAdd, checkJobDataEdit, isMaskedToken, maskJobData, maskToken } from './board.js';

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

describe('checkJobDataEdit', () => {
  const token = `AAAA${'x'.repeat(600)}`;
  const stored = {
    taskToken: token,
    input: { image: 'cat.png' },
    activityArn: 'arn:aws:states:us-east-1:123456789012:activity:resize',
    workerName: 'bridge-1',
    receivedAt: 1_700_000_000_000,
  };
  const shown = maskJobData(stored) as Record<string, unknown>;

  it('puts the real token back in place of the mask the board showed', () => {
    const check = checkJobDataEdit(stored, { ...shown, input: { image: 'dog.png' } });
    expect(check).toEqual({ ok: true, jobData: { ...stored, input: { image: 'dog.png' } } });
  });

  it('keeps the token, and the fixed fields, when the edit leaves them out', () => {
    const withOutcome = { ...stored, sfnOutcome: { kind: 'failure', error: 'E' } };
    const check = checkJobDataEdit(withOutcome, { input: 'fixed', inputIsRaw: true });
    expect(check).toEqual({ ok: true, jobData: { ...withOutcome, input: 'fixed', inputIsRaw: true } });
  });

  it('takes the real token sent back as it is', () => {
    expect(checkJobDataEdit(stored, { ...stored, input: 1 })).toEqual({
      ok: true,
      jobData: { ...stored, input: 1 },
    });
  });

  it('refuses any other token, naming the field and without the real token', () => {
    for (const other of ['BBBB', '', null, 42, { token }, maskToken('BBBB'), `${token} `]) {
      const check = checkJobDataEdit(stored, { ...shown, taskToken: other });
      expect(check).toMatchObject({ ok: false, error: 'TaskTokenNotEditable' });
      if (check.ok) continue;
      expect(check.message).toMatch(/^jobData\.taskToken: the task token cannot be edited/);
      expect(check.message).toContain(maskToken(token));
      expect(check.message).not.toContain(token);
    }
  });

  it('refuses a token on a job that has none', () => {
    expect(checkJobDataEdit({ a: 1 }, { a: 2, taskToken: 'T' })).toMatchObject({
      ok: false,
      error: 'TaskTokenNotEditable',
    });
    expect(checkJobDataEdit({ a: 1 }, { a: 2 })).toEqual({ ok: true, jobData: { a: 2 } });
  });

  it('refuses a changed activityArn, workerName, receivedAt or sfnOutcome', () => {
    const withOutcome = { ...stored, sfnOutcome: { kind: 'success', output: '{}' } };
    const changes: Array<[string, unknown]> = [
      ['activityArn', 'arn:aws:states:us-east-1:123456789012:activity:other'],
      ['workerName', 'me'],
      ['receivedAt', Date.now()],
      ['sfnOutcome', { kind: 'success', output: '{"forged":true}' }],
    ];
    for (const [field, value] of changes) {
      const check = checkJobDataEdit(withOutcome, {
        ...(maskJobData(withOutcome) as object),
        [field]: value,
      });
      expect(check).toMatchObject({ ok: false, error: 'FieldNotEditable' });
      if (!check.ok) expect(check.message).toMatch(new RegExp(`^jobData\\.${field}: `));
    }
    // An outcome where the job has none would be reported as the handler's.
    expect(checkJobDataEdit(stored, { ...shown, sfnOutcome: { kind: 'success' } })).toMatchObject({
      ok: false,
      error: 'FieldNotEditable',
    });
  });

  it('refuses job data that is not an object, naming jobData', () => {
    for (const value of [undefined, null, 'text', 3, [shown]]) {
      const check = checkJobDataEdit(stored, value);
      expect(check).toMatchObject({ ok: false, error: 'InvalidJobData' });
      if (!check.ok) expect(check.message).toMatch(/^jobData: must be a JSON object/);
    }
  });
});

describe('checkJobAdd', () => {
  const token = `AAAA${'x'.repeat(600)}`;
  const data = {
    taskToken: token,
    input: { image: 'cat.png' },
    activityArn: 'arn:aws:states:us-east-1:123456789012:activity:resize',
    workerName: 'bridge-1',
    receivedAt: 1_700_000_000_000,
  };

  it("stores a runnable job under its token's job id", () => {
    expect(checkJobAdd({ name: 'resize', data, options: { attempts: 2 } })).toEqual({
      ok: true,
      body: { name: 'resize', data, options: { attempts: 2, jobId: jobIdForToken(token) } },
    });
    expect(checkJobAdd({ name: 'resize', data })).toMatchObject({ ok: true });
  });

  it('refuses the mask the board shows, whatever else the data holds', () => {
    expect(isMaskedToken(maskToken(token))).toBe(true);
    expect(isMaskedToken(token)).toBe(false);
    const check = checkJobAdd({ name: 'resize', data: maskJobData(data) });
    expect(check).toMatchObject({ ok: false, error: 'TaskTokenMasked' });
    expect(JSON.stringify(check)).not.toContain(token);
  });

  it('refuses data a worker would refuse, a stored outcome and another job id, naming the field', () => {
    expect(checkJobAdd({ name: 'resize', data: { ...data, receivedAt: 'now' } })).toMatchObject({
      ok: false,
      error: 'InvalidJobData',
      message: expect.stringContaining('receivedAt must be epoch milliseconds') as unknown,
    });
    expect(
      checkJobAdd({ name: 'resize', data: { ...data, sfnOutcome: { kind: 'success', output: '1' } } }),
    ).toMatchObject({ ok: false, error: 'FieldNotAddable' });
    expect(checkJobAdd({ name: 'resize', data, options: { jobId: 'mine' } })).toMatchObject({
      ok: false,
      error: 'JobIdNotAddable',
    });
    expect(checkJobAdd('text')).toMatchObject({ ok: false, error: 'InvalidRequestBody' });
  });
});
