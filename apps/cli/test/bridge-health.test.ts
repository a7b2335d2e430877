// `sfn-bullmq bridge` as a child process when Step Functions does not work: /readyz says 503 and why
// (nothing listening, every poll answered 500, no credentials), errors name the call and the endpoint.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '@sfn-bullmq/emulator';
import { findFreePort, uniqueName } from '@sfn-bullmq/test-support';
import { describe, expect, inject, it } from 'vitest';
import { runCli, type CliRun } from './cli-process.js';
import { until, useCleanups } from './harness.js';

const onCleanup = useCleanups();
const ARN = 'arn:aws:states:us-east-1:123456789012:activity:resize-image';

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sfn-bullmq-health-'));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function writeConfig(config: object): Promise<string> {
  const path = join(await tempDir(), 'bridge.json');
  await writeFile(path, JSON.stringify(config));
  return path;
}

function bridgeConfig(endpoint: string, activity: object = { arn: ARN }) {
  return {
    redis: { url: inject('redisUrl'), prefix: `{${uniqueName('t')}}` },
    stepFunctions: { region: 'us-east-1', endpoint },
    http: { port: 0, board: { enabled: false } },
    activities: [{ queue: uniqueName('q'), polls: 5, unhealthyAfterMs: 1_000, ...activity }],
  };
}

/** Runs the bridge; resolves with its URL once it serves HTTP. */
async function startBridge(configPath: string, env: Record<string, string | undefined>, replaceEnv = false) {
  const cli: CliRun = runCli(['bridge', '--config', configPath], env, { replaceEnv });
  onCleanup(() => cli.kill());
  const [, url] = (await cli.waitFor(/"url":"(http:\/\/[^"]+)"/)) as unknown as [string, string];
  return { cli, url };
}

async function notReady(url: string): Promise<{ ready: boolean; reason?: string }> {
  let body: { ready: boolean; reason?: string } = { ready: true };
  await until(async () => {
    const response = await fetch(`${url}/readyz`);
    body = (await response.json()) as typeof body;
    return response.status === 503 && body.reason !== undefined && body.reason.includes('polls failing');
  });
  return body;
}

/** An environment with no AWS credentials anywhere: none in variables, no ~/.aws, no instance metadata. */
async function noCredentialsEnv(): Promise<Record<string, string>> {
  return {
    PATH: process.env['PATH'] ?? '',
    HOME: await tempDir(),
    AWS_EC2_METADATA_DISABLED: 'true',
    PORT: '',
  };
}

describe('sfn-bullmq bridge when Step Functions does not work', () => {
  it('is not ready while nothing listens on the endpoint, and says which call failed where', async () => {
    const endpoint = `http://127.0.0.1:${await findFreePort()}`;
    const { cli, url } = await startBridge(await writeConfig(bridgeConfig(endpoint)), {
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'x',
      PORT: '',
    });
    const body = await notReady(url);
    expect(body.reason).toContain(`GetActivityTask to ${endpoint}: connect ECONNREFUSED`);
    await cli.waitFor(/"level":50,[^\n]*pool unhealthy/);
    const lines = cli.stdout().trim().split('\n');
    // Each line names its component once, and the start line does not offer a dashboard that is off.
    expect(lines.filter((line) => line.split('"component"').length > 2)).toEqual([]);
    expect(cli.stdout()).toContain('dashboard off');
    expect(cli.stdout()).not.toContain('/admin/queues');

    cli.child.kill('SIGTERM');
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    // Polls that end while the bridge closes are no news about Step Functions.
    const afterClose = cli.stdout().slice(cli.stdout().indexOf('"to":"draining"'));
    expect(afterClose).not.toContain('poll failed');
  });

  it('is not ready while every poll is answered HTTP 500/503', async () => {
    const emulator = await startEmulator({ pollTimeoutMs: 500, faults: { errorRate: 1 } });
    onCleanup(() => emulator.close());
    const arn = emulator.createActivity(uniqueName('five-hundred'));
    const { url } = await startBridge(await writeConfig(bridgeConfig(emulator.endpoint, { arn })), {
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'x',
      PORT: '',
    });
    const body = await notReady(url);
    expect(body.reason).toMatch(/GetActivityTask to http:\/\/127\.0\.0\.1:\d+: \w+ \(HTTP 50[03]\)/);
  });

  it('is not ready without AWS credentials, and logs that at error level', async () => {
    // An IPv4-mapped loopback address: not recognised as an emulator on loopback (which would get dummy
    // credentials), and were credentials found after all, the poll would still stay on this machine.
    const endpoint = `http://[::ffff:127.0.0.1]:${await findFreePort()}`;
    const { cli, url } = await startBridge(
      await writeConfig(bridgeConfig(endpoint)),
      await noCredentialsEnv(),
      true,
    );
    const body = await notReady(url);
    expect(body.reason).toContain('CredentialsProviderError');
    await cli.waitFor(/"level":50,[^\n]*AWS credentials missing/);
  });

  it('uses dummy credentials for an emulator on loopback when none are set, and says so', async () => {
    const emulator = await startEmulator({ pollTimeoutMs: 500 });
    onCleanup(() => emulator.close());
    const arn = emulator.createActivity(uniqueName('dummy'));
    const { cli, url } = await startBridge(
      await writeConfig(bridgeConfig(emulator.endpoint, { arn })),
      await noCredentialsEnv(),
      true,
    );
    await until(async () => (await fetch(`${url}/readyz`)).status === 200);
    await until(() => emulator.stats().activities[arn]?.openPolls === 5);
    expect(cli.stdout()).toContain('using dummy credentials');
  });

  it('names the Step Functions call and endpoint when CreateActivity cannot connect, without the SDK Node notice', async () => {
    const endpoint = `http://127.0.0.1:${await findFreePort()}`;
    const config = bridgeConfig(endpoint, { name: 'resize-image', create: true });
    const cli = runCli(['bridge', '--config', await writeConfig(config)], {
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'x',
      PORT: '',
      // The test setup turns the notice off for itself; the CLI must do so for its users.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: undefined,
    });
    onCleanup(() => cli.kill());
    expect((await cli.exited).code).toBe(1);
    expect(cli.stderr()).toContain(
      `sfn-bullmq bridge: Step Functions CreateActivity 'resize-image' to ${endpoint} failed: connect ECONNREFUSED`,
    );
    expect(cli.stderr()).not.toContain('NodeVersionSupportWarning');
  });
});
