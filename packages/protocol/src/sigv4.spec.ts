import { describe, expect, it } from 'vitest';
import { sdkSigner } from '../test/sdk-signer.js';
import { SigV4Signer, type SigningCredentials } from './sigv4.js';

interface Case {
  what: string;
  host: string;
  hostname: string;
  port?: number;
  path: string;
  body: string;
  credentials: SigningCredentials;
  now: Date;
  region?: string;
  target?: string;
}

const KEYS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

/** The Authorization header the SDK's own signer gives for the same request. */
async function sdkAuthorization(c: Case, signedHeaders: Record<string, string>): Promise<string> {
  const signer = sdkSigner(c.region ?? 'us-east-1', c.credentials);
  const headers: Record<string, string> = {
    'content-type': 'application/x-amz-json-1.0',
    'x-amz-target': c.target ?? 'AWSStepFunctions.GetActivityTask',
    host: c.host,
  };
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'https:',
      hostname: c.hostname,
      ...(c.port === undefined ? {} : { port: c.port }),
      path: c.path,
      query: {},
      headers,
      body: c.body,
    },
    { signingDate: c.now, signableHeaders: new Set(Object.keys(signedHeaders)) },
  );
  return String(signed.headers['authorization']);
}

const cases: Case[] = [
  {
    what: 'a poll to AWS with long-term keys',
    host: 'states.us-east-1.amazonaws.com',
    hostname: 'states.us-east-1.amazonaws.com',
    path: '/',
    body: '{"activityArn":"arn:aws:states:us-east-1:123456789012:activity:resize","workerName":"bridge-1"}',
    credentials: KEYS,
    now: new Date('2026-11-29T16:45:53.123Z'),
  },
  {
    what: 'temporary credentials (the session token is signed)',
    host: 'states.eu-west-1.amazonaws.com',
    hostname: 'states.eu-west-1.amazonaws.com',
    path: '/',
    body: '{"taskToken":"AAAA","output":"{\\"ok\\":true}"}',
    credentials: { ...KEYS, sessionToken: 'IQoJb3JpZ2luX2VjEOr//////////wEaCXVzLWVhc3QtMSJH' },
    now: new Date('2026-01-01T00:00:00.000Z'),
    region: 'eu-west-1',
    target: 'AWSStepFunctions.SendTaskSuccess',
  },
  {
    what: 'an endpoint with a port and a path, and a body outside ASCII',
    host: '127.0.0.1:8083',
    hostname: '127.0.0.1',
    port: 8083,
    path: '/sfn',
    body: '{"taskToken":"t","cause":"caf\u00e9 \u2603 \ud83d\ude00"}',
    credentials: KEYS,
    now: new Date('2025-06-30T23:59:59.999Z'),
    target: 'AWSStepFunctions.SendTaskFailure',
  },
];

describe('SigV4Signer', () => {
  for (const c of cases) {
    it(`signs ${c.what} exactly as the AWS SDK does`, async () => {
      const signer = new SigV4Signer(c.region ?? 'us-east-1', 'states');
      const headers = {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': c.target ?? 'AWSStepFunctions.GetActivityTask',
      };
      const added = signer.sign({ host: c.host, path: c.path, headers, body: c.body }, c.credentials, c.now);
      const signedNames = { ...headers, host: c.host, ...added };
      delete (signedNames as Record<string, string>)['authorization'];
      expect(added['authorization']).toBe(await sdkAuthorization(c, signedNames));
      if (c.credentials.sessionToken !== undefined) {
        expect(added['x-amz-security-token']).toBe(c.credentials.sessionToken);
      }
    });
  }

  it('derives a new signing key when the UTC day changes', async () => {
    const signer = new SigV4Signer('us-east-1', 'states');
    const base = cases[0]!;
    const headers = {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'AWSStepFunctions.GetActivityTask',
    };
    for (const now of [new Date('2026-11-29T23:59:59Z'), new Date('2026-11-30T00:00:01Z')]) {
      const added = signer.sign({ host: base.host, path: '/', headers, body: base.body }, KEYS, now);
      const expected = await sdkAuthorization(
        { ...base, now },
        { ...headers, host: base.host, 'x-amz-date': '' },
      );
      expect(added['authorization']).toBe(expected);
    }
  });

  it('derives a new signing key when the secret rotates within a day', async () => {
    const signer = new SigV4Signer('us-east-1', 'states');
    const base = cases[0]!;
    const headers = {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'AWSStepFunctions.GetActivityTask',
    };
    for (const secretAccessKey of ['first-secret', 'second-secret']) {
      const credentials = { accessKeyId: 'AKID', secretAccessKey };
      const added = signer.sign(
        { host: base.host, path: '/', headers, body: base.body },
        credentials,
        base.now,
      );
      const expected = await sdkAuthorization(
        { ...base, credentials },
        { ...headers, host: base.host, 'x-amz-date': '' },
      );
      expect(added['authorization']).toBe(expected);
    }
  });
});
