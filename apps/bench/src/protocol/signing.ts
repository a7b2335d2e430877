// µs per SigV4 signature: our signer (packages/protocol/src/sigv4.ts) against @smithy/signature-v4,
// the AWS SDK's own, on the request the bridge signs per poll and the worker per SendTaskSuccess.
//
//   pnpm --filter @sfn-bullmq/bench run build && pnpm --filter @sfn-bullmq/bench exec node dist/protocol/signing.js
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { HttpRequest } from '@smithy/core/protocols';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import { SigV4Signer } from '@sfn-bullmq/protocol';
import { markdownTable } from '../markdown-table.js';

const REGION = 'us-east-1';
const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const HOST = 'states.us-east-1.amazonaws.com';
/** A ~1 KB token, as Step Functions hands out. */
const TOKEN = 'A'.repeat(1_000);
const BODIES = {
  GetActivityTask: JSON.stringify({
    activityArn: 'arn:aws:states:us-east-1:123456789012:activity:resize',
    workerName: 'bridge-1',
  }),
  SendTaskSuccess: JSON.stringify({ taskToken: TOKEN, output: '{"ok":true}' }),
};
const ROUNDS = 5;
const PER_ROUND = 20_000;

type Sign = (operation: string, body: string) => unknown;

function ours(): Sign {
  const signer = new SigV4Signer(REGION, 'states');
  return (operation, body) =>
    signer.sign(
      {
        host: HOST,
        path: '/',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': `AWSStepFunctions.${operation}`,
        },
        body,
      },
      CREDENTIALS,
      new Date(),
    );
}

function smithy(): Sign {
  const signer = new SignatureV4({
    service: 'states',
    region: REGION,
    credentials: CREDENTIALS,
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: true,
  });
  return (operation, body) =>
    signer.sign(
      new HttpRequest({
        method: 'POST',
        protocol: 'https:',
        hostname: HOST,
        path: '/',
        headers: {
          host: HOST,
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': `AWSStepFunctions.${operation}`,
        },
        body,
      }),
    );
}

async function usPerSignature(sign: Sign, operation: string, body: string): Promise<number> {
  const started = process.cpuUsage();
  for (let i = 0; i < PER_ROUND; i += 1) await sign(operation, body);
  const used = process.cpuUsage(started);
  return (used.user + used.system) / PER_ROUND;
}

async function main(): Promise<void> {
  const signers: [string, Sign][] = [
    ['ours (SigV4Signer)', ours()],
    ['@smithy/signature-v4 5.7.5', smithy()],
  ];
  const results = new Map<string, number[]>();
  const loadStart = loadavg()[0] ?? 0;
  const wallStart = performance.now();
  // Warm-up, then rounds alternating the sides so drift on a shared machine hits both.
  for (const [, sign] of signers)
    for (const [op, body] of Object.entries(BODIES)) await usPerSignature(sign, op, body);
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [name, sign] of round % 2 === 0 ? signers : [...signers].reverse()) {
      for (const [op, body] of Object.entries(BODIES)) {
        const key = `${name}|${op}`;
        results.set(key, [...(results.get(key) ?? []), await usPerSignature(sign, op, body)]);
      }
    }
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const rows = [...results].map(([key, xs]) => {
    const [name, op] = key.split('|') as [string, string];
    const base = median(results.get(`${signers[0]![0]}|${op}`)!);
    return [
      name,
      op,
      median(xs).toFixed(1),
      `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`,
      `${(median(xs) / base).toFixed(2)}×`,
    ];
  });
  console.log(
    `SigV4 signing, CPU µs per signature (process.cpuUsage over ${PER_ROUND.toLocaleString('en-US')} signatures per round, ${ROUNDS} rounds, sides alternated; ${((performance.now() - wallStart) / 1000).toFixed(0)} s; Node ${process.version}; load average ${loadStart.toFixed(1)} → ${(loadavg()[0] ?? 0).toFixed(1)})\n`,
  );
  console.log(markdownTable(['signer', 'request', 'median µs', 'range µs', '÷ ours'], rows));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
