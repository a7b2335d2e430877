// Bull Board's "edit job data" over real HTTP to the service's app, with jobs in a real Redis: the board
// shows a masked token and sends back what it showed, so the guard in front of the route must put the
// real token back (or refuse), and nothing it refuses may change the job.
import { randomBytes } from 'node:crypto';
import { uniqueName } from '@sfn-bullmq/test-support';
import { Worker, type Queue } from 'bullmq';
import { describe, expect, inject, it } from 'vitest';
import { redisOptionsFromUrl } from '../src/config/redis-connection.js';
import { maskToken } from '../src/http/board.js';
import { addBridgeJob, serveHttp, testQueue, until, useCleanups } from './harness.js';

const onCleanup = useCleanups();

const CREDENTIALS = { user: 'admin', password: 'pa55word' };
const AUTH = {
  authorization: `Basic ${Buffer.from(`${CREDENTIALS.user}:${CREDENTIALS.password}`).toString('base64')}`,
};

/** A queue holding one job as the bridge adds it (its input to be fixed), and the service's HTTP server with the board on. */
async function setUp({ readOnly = false } = {}) {
  const queue = testQueue(onCleanup, uniqueName('resize-image'));
  const { token, data, jobId } = await addBridgeJob(queue, { image: 'cat.png', width: -1 });
  const { url } = await serveHttp(onCleanup, {
    board: { queues: [queue], readOnly, credentials: CREDENTIALS },
  });
  const api = `${url}/admin/queues/api/queues/${encodeURIComponent(queue.name)}`;
  return { queue, token, data, jobId, api };
}

/** The job's data as it is in Redis now. */
async function storedData(queue: Queue, jobId: string): Promise<unknown> {
  return (await queue.getJob(jobId))?.data;
}

/** What the board's UI does to save an edit. */
async function patchData(api: string, jobId: string, body: string, contentType = 'application/json') {
  const response = await fetch(`${api}/${encodeURIComponent(jobId)}/update-data`, {
    method: 'PATCH',
    headers: { ...AUTH, 'content-type': contentType },
    body,
  });
  return { status: response.status, text: await response.text() };
}

/** The job's data as the board shows it, and so as its editor starts. */
async function shownData(api: string, jobId: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${api}/${encodeURIComponent(jobId)}`, { headers: AUTH });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { job: { data: Record<string, unknown> } };
  return body.job.data;
}

describe('editing job data on Bull Board', () => {
  it('stores the edited input with the real token when the masked token is sent back', async () => {
    const { queue, token, data, jobId, api } = await setUp();
    const shown = await shownData(api, jobId);
    expect(shown['taskToken']).toBe(maskToken(token));

    const input = { image: 'cat.png', width: 640 };
    const saved = await patchData(api, jobId, JSON.stringify({ jobData: { ...shown, input } }));
    expect(saved.status).toBe(200);
    expect(saved.text).not.toContain(token.slice(0, 64));
    expect(await storedData(queue, jobId)).toEqual({ ...data, input });
  });

  it('keeps the real token when the edit leaves taskToken out', async () => {
    const { queue, data, jobId, api } = await setUp();
    const { taskToken: _masked, ...rest } = await shownData(api, jobId);
    const saved = await patchData(api, jobId, JSON.stringify({ jobData: { ...rest, input: 'fixed' } }));
    expect(saved.status).toBe(200);
    expect(await storedData(queue, jobId)).toEqual({ ...data, input: 'fixed' });
  });

  it('takes an input larger than the 100 kB Bull Board parses by itself', async () => {
    const { queue, data, jobId, api } = await setUp();
    const input = { blob: 'b'.repeat(200_000) };
    const shown = await shownData(api, jobId);
    const saved = await patchData(api, jobId, JSON.stringify({ jobData: { ...shown, input } }));
    expect(saved.status).toBe(200);
    expect(await storedData(queue, jobId)).toEqual({ ...data, input });
  });

  it('refuses another token with 400 naming jobData.taskToken, and leaves the job as it was', async () => {
    const { queue, token, data, jobId, api } = await setUp();
    const shown = await shownData(api, jobId);
    for (const other of [`BBBB${randomBytes(600).toString('base64url')}`, '', null, maskToken('other')]) {
      const refused = await patchData(
        api,
        jobId,
        JSON.stringify({ jobData: { ...shown, taskToken: other, input: 'changed' } }),
      );
      expect(refused.status).toBe(400);
      const body = JSON.parse(refused.text) as { error: string; message: string };
      expect(body.error).toBe('TaskTokenNotEditable');
      expect(body.message).toMatch(/^jobData\.taskToken: the task token cannot be edited/);
      expect(refused.text).not.toContain(token.slice(0, 64));
      expect(await storedData(queue, jobId)).toEqual(data);
    }
  });

  it('refuses a changed activityArn with 400 naming it, and leaves the job as it was', async () => {
    const { queue, data, jobId, api } = await setUp();
    const shown = await shownData(api, jobId);
    const refused = await patchData(
      api,
      jobId,
      JSON.stringify({ jobData: { ...shown, activityArn: 'arn:aws:states:us-east-1:1:activity:x' } }),
    );
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.text)).toMatchObject({
      error: 'FieldNotEditable',
      message: expect.stringMatching(/^jobData\.activityArn: /) as unknown,
    });
    expect(await storedData(queue, jobId)).toEqual(data);
  });

  it('refuses job data that is not an object, or a body that is not JSON, and changes nothing', async () => {
    const { queue, data, jobId, api } = await setUp();
    const bodies: Array<[string, string?]> = [
      [JSON.stringify({ jobData: null })],
      [JSON.stringify({ jobData: 'text' })],
      [JSON.stringify({ jobData: [] })],
      [JSON.stringify({})],
      // Neither the guard nor Bull Board parses these: Bull Board alone would store `undefined`.
      [JSON.stringify({ jobData: { input: 1 } }), 'text/plain'],
      ['', 'application/json'],
    ];
    for (const [body, contentType] of bodies) {
      const refused = await patchData(api, jobId, body, contentType);
      expect(refused.status).toBe(400);
      expect(JSON.parse(refused.text)).toMatchObject({
        error: 'InvalidJobData',
        message: expect.stringMatching(/^jobData: must be a JSON object/) as unknown,
      });
    }
    const malformed = await patchData(api, jobId, '{"jobData": {"taskToken": "AAAA');
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.text)).toMatchObject({ error: 'InvalidRequestBody' });
    expect(malformed.text).not.toContain('AAAA');
    expect(await storedData(queue, jobId)).toEqual(data);
  });

  it('refuses to edit a job a worker is processing (409), so its stored outcome cannot be overwritten', async () => {
    const { queue, data, jobId, api } = await setUp();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const worker = new Worker(queue.name, () => held, {
      connection: redisOptionsFromUrl(inject('redisUrl')),
    });
    onCleanup(async () => {
      release();
      await worker.close();
    });
    await until(async () => (await queue.getJob(jobId))?.isActive() ?? false);
    const shown = await shownData(api, jobId);
    const answer = await patchData(
      api,
      jobId,
      JSON.stringify({ jobData: { ...shown, input: { fixed: true } } }),
    );
    expect(answer.status).toBe(409);
    expect(JSON.parse(answer.text)).toMatchObject({ error: 'JobIsActive' });
    expect(await storedData(queue, jobId)).toEqual(data);
  });

  it('leaves an unknown queue or job to Bull Board (404)', async () => {
    const { jobId, api } = await setUp();
    const body = JSON.stringify({ jobData: { input: 1 } });
    const noJob = await patchData(api, 'tk-none', body);
    expect(noJob.status).toBe(404);
    expect(noJob.text).toContain('JOB_NOT_FOUND');
    const noQueue = await patchData(`${api}-missing`, jobId, body);
    expect(noQueue.status).toBe(404);
    expect(noQueue.text).toContain('QUEUE_NOT_FOUND');
  });

  it('is refused by a read-only board as before (405), the job unchanged', async () => {
    const { queue, data, jobId, api } = await setUp({ readOnly: true });
    const shown = await shownData(api, jobId);
    const refused = await patchData(api, jobId, JSON.stringify({ jobData: { ...shown, input: 'x' } }));
    expect(refused.status).toBe(405);
    expect(refused.text).toContain('QUEUE_READ_ONLY');
    expect(await storedData(queue, jobId)).toEqual(data);
  });
});
