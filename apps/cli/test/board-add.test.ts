// Bull Board's "add job" (and its "duplicate" button, which starts from the data the board showed)
// over real HTTP with a real Redis: a masked token must never be stored, and what is stored must be a
// job the worker can run, under the id the bridge would give its token.
import { uniqueName } from '@sfn-bullmq/test-support';
import { jobIdForToken } from '@sfn-bullmq/protocol';
import { describe, expect, it } from 'vitest';
import { maskToken } from '../src/http/board.js';
import { addBridgeJob, serveHttp, testQueue, useCleanups } from './harness.js';

const onCleanup = useCleanups();

const CREDENTIALS = { user: 'admin', password: 'pa55word' };
const AUTH = {
  authorization: `Basic ${Buffer.from(`${CREDENTIALS.user}:${CREDENTIALS.password}`).toString('base64')}`,
};

async function setUp() {
  const queue = testQueue(onCleanup, uniqueName('resize-image'));
  const { token, data } = await addBridgeJob(queue, { image: 'cat.png' });
  const { url } = await serveHttp(onCleanup, {
    board: { queues: [queue], readOnly: false, credentials: CREDENTIALS },
  });
  const api = `${url}/admin/queues/api/queues/${encodeURIComponent(queue.name)}`;
  return { queue, token, data, api };
}

async function addJob(api: string, body: unknown) {
  const response = await fetch(`${api}/add`, {
    method: 'POST',
    headers: { ...AUTH, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

describe('adding a job on Bull Board', () => {
  it('refuses job data with a masked token (what "duplicate" starts from) with 400, adding nothing', async () => {
    const { queue, token, data, api } = await setUp();
    const before = await queue.count();
    const refused = await addJob(api, {
      name: 'resize-image',
      data: { ...data, taskToken: maskToken(token) },
      options: {},
    });
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.text)).toMatchObject({
      error: 'TaskTokenMasked',
      message: expect.stringMatching(/^data\.taskToken: /) as unknown,
    });
    expect(await queue.count()).toBe(before);
  });

  it('refuses data that is not an ActivityJobData with 400 naming the field, adding nothing', async () => {
    const { queue, data, api } = await setUp();
    const before = await queue.count();
    const { activityArn: _dropped, ...withoutArn } = data;
    for (const bad of [withoutArn, { input: 1 }, 'text']) {
      const refused = await addJob(api, { name: 'resize-image', data: bad, options: {} });
      expect(refused.status).toBe(400);
      expect(JSON.parse(refused.text)).toMatchObject({ error: 'InvalidJobData' });
    }
    expect(JSON.parse((await addJob(api, { name: 'x', data: withoutArn })).text)).toMatchObject({
      message: expect.stringContaining('activityArn must be a string, got undefined') as unknown,
    });
    expect(await queue.count()).toBe(before);
  });

  it("adds a job with a real token under the token's own job id, so it is one job with the bridge's", async () => {
    const { queue, api } = await setUp();
    const token = `CCCC${'c'.repeat(100)}`;
    const { data } = {
      data: {
        taskToken: token,
        input: {},
        activityArn: 'arn:aws:states:us-east-1:123456789012:activity:resize-image',
        workerName: 'ops',
        receivedAt: Date.now(),
      },
    };
    const added = await addJob(api, { name: 'resize-image', data, options: {} });
    expect(added.status).toBe(200);
    expect(added.text).not.toContain(token);
    expect((await queue.getJob(jobIdForToken(token)))?.data).toEqual(data);
  });
});
