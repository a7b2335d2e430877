// SfnActivityClient over HTTP: against the emulator for the protocol (same answers and error names as
// the AWS SDK gives), and against small raw servers for what the emulator never does (hang, skew clocks).
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetActivityTaskCommand, SFNClient, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { startEmulator, type Emulator } from '@sfn-bullmq/emulator';
import { uniqueName } from '@sfn-bullmq/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import type { SfnActivityClient } from '../src/index.js';
import {
  InvalidClientOptionError,
  SfnRequestTimeoutError,
  createPollingActivityClient,
  createSendActivityClient,
  isActivityMissingError,
  isNetworkError,
  isTaskGoneError,
  isThrottlingError,
} from '../src/index.js';
import { SfnClientClosedError } from '../src/sfn-call-errors.js';
import { sdkSigner } from './sdk-signer.js';

const CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret/test+key' };
const cleanups: (() => Promise<unknown> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function emulator(pollTimeoutMs = 500, options: Parameters<typeof startEmulator>[0] = {}) {
  const started = await startEmulator({ pollTimeoutMs, ...options });
  cleanups.push(() => started.close());
  return started;
}

function pollingClient(endpoint: string): SfnActivityClient {
  const client = createPollingActivityClient({
    endpoint,
    region: 'us-east-1',
    credentials: CREDENTIALS,
    maxConcurrentPolls: 4,
  });
  cleanups.push(() => client.close({ force: true }));
  return client;
}

function sendClient(endpoint: string, options: { maxAttempts?: number; requestTimeoutMs?: number } = {}) {
  const client = createSendActivityClient({
    endpoint,
    region: 'us-east-1',
    credentials: CREDENTIALS,
    ...options,
  });
  cleanups.push(() => client.close({ force: true }));
  return client;
}

function sdkClient(endpoint: string): SFNClient {
  const client = new SFNClient({ endpoint, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
  cleanups.push(() => client.destroy());
  return client;
}

/** A plain HTTP server whose handler the test writes; every request is recorded with its body. */
async function rawServer(
  handle: (request: IncomingMessage, body: string, response: ServerResponse, index: number) => void,
): Promise<{ endpoint: string; requests: { headers: IncomingMessage['headers']; body: string }[] }> {
  const requests: { headers: IncomingMessage['headers']; body: string }[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ headers: request.headers, body });
      handle(request, body, response, requests.length - 1);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

function activity(em: Emulator): string {
  return em.createActivity(uniqueName('client'));
}

describe('SfnActivityClient against the emulator', () => {
  it('receives a task token and input, and completes the task with SendTaskSuccess', async () => {
    const em = await emulator();
    const arn = activity(em);
    const { outcome } = em.scheduleTask(arn, '{"image":"cat.png"}');
    const task = await pollingClient(em.endpoint).getActivityTask({ activityArn: arn, workerName: 'w-1' });
    expect(task.input).toBe('{"image":"cat.png"}');
    expect(task.taskToken).toEqual(expect.any(String));
    await sendClient(em.endpoint).sendTaskSuccess({ taskToken: task.taskToken!, output: '{"ok":true}' });
    expect(await outcome).toEqual({ kind: 'succeeded', output: '{"ok":true}' });
  });

  it('reports failures and heartbeats the task', async () => {
    const em = await emulator();
    const arn = activity(em);
    const { outcome } = em.scheduleTask(arn, '{}', { heartbeatSeconds: 60 });
    const { taskToken } = await pollingClient(em.endpoint).getActivityTask({ activityArn: arn });
    const sender = sendClient(em.endpoint);
    await sender.sendTaskHeartbeat({ taskToken: taskToken! });
    expect(em.stats().activities[arn]?.heartbeats).toBe(1);
    await sender.sendTaskFailure({
      taskToken: taskToken!,
      error: 'Resize.Failed',
      cause: 'caf\u00e9 \u2603',
    });
    expect(await outcome).toEqual({ kind: 'failed', error: 'Resize.Failed', cause: 'caf\u00e9 \u2603' });
  });

  it('answers an empty poll with no token after the service held it', async () => {
    const em = await emulator(300);
    const started = performance.now();
    const task = await pollingClient(em.endpoint).getActivityTask({ activityArn: activity(em) });
    expect(task).toEqual({ taskToken: undefined, input: undefined });
    // Held by the service for its poll timeout, not cut short on our side.
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('raises the same error names as the AWS SDK, which the predicates read', async () => {
    const em = await emulator();
    const missing = em.activityArn(uniqueName('missing'));
    const ours = await pollingClient(em.endpoint)
      .getActivityTask({ activityArn: missing })
      .catch((error: unknown) => error);
    const sdks = await sdkClient(em.endpoint)
      .send(new GetActivityTaskCommand({ activityArn: missing }))
      .catch((error: unknown) => error);
    expect((ours as Error).name).toBe('ActivityDoesNotExist');
    expect((ours as Error).name).toBe((sdks as Error).name);
    expect((ours as Error).message).toBe((sdks as Error).message);
    expect(isActivityMissingError(ours)).toBe(true);

    const arn = activity(em);
    em.scheduleTask(arn, '{}');
    const { taskToken } = await pollingClient(em.endpoint).getActivityTask({ activityArn: arn });
    const sender = sendClient(em.endpoint);
    await sender.sendTaskSuccess({ taskToken: taskToken!, output: '{}' });
    const gone = await sender
      .sendTaskSuccess({ taskToken: taskToken!, output: '{}' })
      .catch((e: unknown) => e);
    const sdkGone = await sdkClient(em.endpoint)
      .send(new SendTaskSuccessCommand({ taskToken: taskToken!, output: '{}' }))
      .catch((e: unknown) => e);
    expect((gone as Error).name).toBe('TaskTimedOut');
    expect((gone as Error).name).toBe((sdkGone as Error).name);
    expect(isTaskGoneError(gone)).toBe(true);
    expect(gone).toMatchObject({ $fault: 'client', $metadata: { httpStatusCode: 400, attempts: 1 } });
  });

  it('retries a throttled Send* with backoff until the bucket refills', async () => {
    const em = await emulator(500, { throttle: { SendTaskHeartbeat: { bucket: 1, refillPerSecond: 5 } } });
    const arn = activity(em);
    em.scheduleTask(arn, '{}', { heartbeatSeconds: 60 });
    const { taskToken } = await pollingClient(em.endpoint).getActivityTask({ activityArn: arn });
    const sender = sendClient(em.endpoint, { maxAttempts: 10 });
    await sender.sendTaskHeartbeat({ taskToken: taskToken! });
    await sender.sendTaskHeartbeat({ taskToken: taskToken! });
    expect(em.stats().activities[arn]?.heartbeats).toBe(2);
    expect(em.stats().totals.throttled).toBeGreaterThanOrEqual(1);
  });

  it('gives up on throttling after maxAttempts with the service error', async () => {
    const em = await emulator(500, { throttle: { SendTaskHeartbeat: { bucket: 1, refillPerSecond: 0.01 } } });
    const arn = activity(em);
    em.scheduleTask(arn, '{}', { heartbeatSeconds: 60 });
    const { taskToken } = await pollingClient(em.endpoint).getActivityTask({ activityArn: arn });
    const sender = sendClient(em.endpoint, { maxAttempts: 2 });
    await sender.sendTaskHeartbeat({ taskToken: taskToken! });
    const error = await sender.sendTaskHeartbeat({ taskToken: taskToken! }).catch((e: unknown) => e);
    expect(isThrottlingError(error)).toBe(true);
    expect(error).toMatchObject({ $metadata: { attempts: 2 } });
  });

  it('never retries a poll, even on a 5xx', async () => {
    const em = await emulator(500, { faults: { errorRate: 1 } });
    const before = em.stats().totals.requests;
    const error = await pollingClient(em.endpoint)
      .getActivityTask({ activityArn: activity(em) })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ $fault: 'server' });
    expect(em.stats().totals.requests - before).toBe(1);
  });
});

describe('SfnActivityClient on the wire', () => {
  it('sends a request the AWS SDK signer signs identically', async () => {
    const server = await rawServer((_request, _body, response) => response.end('{}'));
    const client = createPollingActivityClient({
      endpoint: server.endpoint,
      region: 'eu-west-1',
      credentials: { ...CREDENTIALS, sessionToken: 'session-token' },
      maxConcurrentPolls: 1,
    });
    cleanups.push(() => client.close());
    await client.getActivityTask({ activityArn: 'arn:aws:states:eu-west-1:1:activity:a', workerName: 'w' });
    const [sent] = server.requests;
    const headers = sent!.headers as Record<string, string>;
    expect(headers['x-amz-target']).toBe('AWSStepFunctions.GetActivityTask');
    expect(headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(JSON.parse(sent!.body)).toEqual({
      activityArn: 'arn:aws:states:eu-west-1:1:activity:a',
      workerName: 'w',
    });
    const amzDate = headers['x-amz-date']!;
    const signingDate = new Date(
      `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
    );
    const signedNames = /SignedHeaders=([^,]+)/.exec(headers['authorization']!)![1]!.split(';');
    const reference = await sdkSigner('eu-west-1', { ...CREDENTIALS, sessionToken: 'session-token' }).sign(
      {
        method: 'POST',
        protocol: 'http:',
        hostname: '127.0.0.1',
        path: '/',
        query: {},
        headers: Object.fromEntries(signedNames.map((name) => [name, headers[name]!])),
        body: sent!.body,
      },
      { signingDate, signableHeaders: new Set(signedNames) },
    );
    expect(headers['authorization']).toBe(reference.headers['authorization']);
    expect(signedNames).toEqual(
      expect.arrayContaining(['host', 'x-amz-date', 'x-amz-target', 'x-amz-security-token', 'content-type']),
    );
  });

  it('times out a Send* that gets no answer, as a network error, and retries it', async () => {
    const server = await rawServer(() => undefined); // never answers
    const error = await sendClient(server.endpoint, { requestTimeoutMs: 150, maxAttempts: 2 })
      .sendTaskHeartbeat({ taskToken: 't' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SfnRequestTimeoutError);
    expect(isNetworkError(error)).toBe(true);
    expect(server.requests).toHaveLength(2);
    // One invocation id across the attempts, and each attempt numbered, as the SDK sends them.
    expect(server.requests[0]!.headers['amz-sdk-invocation-id']).toBe(
      server.requests[1]!.headers['amz-sdk-invocation-id'],
    );
    expect(server.requests.map((r) => r.headers['amz-sdk-request'])).toEqual([
      'attempt=1; max=2',
      'attempt=2; max=2',
    ]);
  });

  it('corrects its clock from the service after a signature-expired answer', async () => {
    const serverAhead = new Date(Date.now() + 3_600_000);
    const server = await rawServer((_request, _body, response, index) => {
      if (index === 0) {
        response.writeHead(400, {
          'content-type': 'application/x-amz-json-1.0',
          date: serverAhead.toUTCString(),
        });
        response.end('{"__type":"InvalidSignatureException","message":"Signature expired"}');
      } else {
        response.end('');
      }
    });
    await sendClient(server.endpoint).sendTaskHeartbeat({ taskToken: 't' });
    const dates = server.requests.map((r) => String(r.headers['x-amz-date']));
    expect(dates).toHaveLength(2);
    const parse = (d: string) =>
      Date.parse(
        `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${d.slice(9, 11)}:${d.slice(11, 13)}:${d.slice(13, 15)}Z`,
      );
    // The retry is signed at the service's time, about an hour after the first attempt's.
    expect(parse(dates[1]!) - parse(dates[0]!)).toBeGreaterThan(3_500_000);
  });

  it('rejects a poll whose answer is cut off mid-body as a network error, never leaving it hanging', async () => {
    const server = await rawServer((_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'content-length': '1000' });
      response.write('{"taskToken":"AAAA');
      setTimeout(() => response.socket?.destroy(), 20);
    });
    const error = await pollingClient(server.endpoint)
      .getActivityTask({ activityArn: 'arn:aws:states:us-east-1:1:activity:a' })
      .catch((e: unknown) => e);
    expect(isNetworkError(error)).toBe(true);
    expect(server.requests).toHaveLength(1); // and not retried
  });

  it('names an error the service sent without JSON by its HTTP status', async () => {
    const server = await rawServer((_request, _body, response) => {
      response.writeHead(502, { 'content-type': 'text/html' });
      response.end('<html>Bad Gateway</html>');
    });
    const error = await sendClient(server.endpoint, { maxAttempts: 1 })
      .sendTaskHeartbeat({ taskToken: 't' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'Http502', $fault: 'server', $metadata: { httpStatusCode: 502 } });
  });
});

describe('SfnActivityClient lifecycle and options', () => {
  it('close() waits for a poll in flight and delivers what it brings', async () => {
    const em = await emulator(400);
    const arn = activity(em);
    const client = pollingClient(em.endpoint);
    const poll = client.getActivityTask({ activityArn: arn });
    await vitestUntil(() => em.stats().activities[arn]?.openPolls === 1);
    const closed = client.close();
    em.scheduleTask(arn, '{"late":true}');
    const task = await poll;
    await closed;
    expect(task.input).toBe('{"late":true}');
    expect(em.stats().totals.lostTokens.total).toBe(0);
    await expect(client.getActivityTask({ activityArn: arn })).rejects.toBeInstanceOf(SfnClientClosedError);
    await client.close(); // idempotent
  });

  it('refuses a poll timeout under 65 s and a bad endpoint, naming the option', () => {
    expect(() =>
      createPollingActivityClient({
        maxConcurrentPolls: 10,
        pollRequestTimeoutMs: 30_000,
        region: 'us-east-1',
      }),
    ).toThrow(/pollRequestTimeoutMs: must be at least 65000/);
    expect(() => createPollingActivityClient({ maxConcurrentPolls: 0, region: 'us-east-1' })).toThrow(
      /maxConcurrentPolls/,
    );
    expect(() => createSendActivityClient({ endpoint: 'localhost:8083' })).toThrow(InvalidClientOptionError);
    expect(() => createSendActivityClient({ endpoint: 'localhost:8083' })).toThrow(/endpoint/);
    expect(() => createSendActivityClient({ endpoint: 'https://proxy.example/step functions' })).toThrow(
      /endpoint: the path may hold only/,
    );
    expect(() => createSendActivityClient({ endpoint: 'https://proxy.example/sfn?x=1' })).toThrow(/no query/);
    expect(() => createSendActivityClient({ endpoint: 'https://proxy.example/sfn-v1/' })).not.toThrow();
  });

  it('sizes a polling client above its polls and never retries it', () => {
    const client = createPollingActivityClient({ maxConcurrentPolls: 100, region: 'us-east-1' });
    cleanups.push(() => client.close());
    expect(client.options.maxSockets).toBeGreaterThan(100);
    expect(client.options.maxAttempts).toBe(1);
    expect(client.options.pollRequestTimeoutMs).toBeGreaterThanOrEqual(65_000);
  });
});

async function vitestUntil(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
