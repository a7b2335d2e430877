import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, type CliRun, type RunCliOptions } from './cli-process.js';

const runs: CliRun[] = [];
afterEach(async () => {
  await Promise.all(runs.splice(0).map((run) => run.kill()));
});

async function run(args: string[], env: Record<string, string> = {}, options: RunCliOptions = {}) {
  const cli = runCli(args, env, options);
  runs.push(cli);
  const { code } = await cli.exited;
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}

// Each test starts several CLI processes at once; on two shared cores that can take a while.
describe('sfn-bullmq command line', { timeout: 90_000 }, () => {
  it('prints help for the program and each command with exit code 0', async () => {
    const results = await Promise.all([
      run(['--help']),
      run(['bridge', '--help']),
      run(['emulator', '--help']),
      run(['dev', '--help']),
    ]);
    for (const result of results) {
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
    }
    expect(results[0]?.stdout).toMatch(/Commands:[\s\S]*bridge[\s\S]*emulator[\s\S]*dev/);
    expect(results[1]?.stdout).toContain('Usage: sfn-bullmq bridge --config FILE');
    expect(results[2]?.stdout).toContain('--poll-timeout-ms');
    expect(results[3]?.stdout).toContain('--duration-s');
  });

  it('prints its version with exit code 0', async () => {
    const [long, short] = await Promise.all([run(['--version']), run(['-v'])]);
    expect(long).toMatchObject({ code: 0, stderr: '' });
    // Just the version, as npm --version and node --version print theirs (scripts compare it).
    expect(long.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(short.stdout).toBe(long.stdout);
  });

  it('prints help and the version without loading the AWS SDK, BullMQ or Express', async () => {
    const hook = fileURLToPath(new URL('./fixtures/record-imports.mjs', import.meta.url));
    const results = await Promise.all(
      [['--version'], ['--help'], ['bridge', '--help'], ['dev', '--help'], ['emulator', '--help']].map(
        (args) => run(args, {}, { nodeArgs: ['--import', hook] }),
      ),
    );
    for (const result of results) {
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
    }
    // The check itself works: a command that runs imports them.
    const running = await run(
      ['bridge', '--config', '/nonexistent.yaml'],
      {},
      { nodeArgs: ['--import', hook] },
    );
    expect(running.stderr).toContain('imported: @aws-sdk/client-sfn');
  });

  it('refuses an unknown command or flag with a short message and exit code 2', async () => {
    const [command, flag, emulatorFlag] = await Promise.all([
      run(['serve']),
      run(['bridge', '--confg', 'x.yaml']),
      run(['emulator', '--prot', '1']),
    ]);
    expect(command.code).toBe(2);
    expect(command.stderr).toContain("unknown command 'serve'");
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("unknown option '--confg'");
    expect(flag.stderr.split('\n').length).toBeLessThanOrEqual(3);
    expect(emulatorFlag.code).toBe(2);
    expect(emulatorFlag.stdout).toBe('');
  });

  it('refuses bad values with exit code 2, naming the flag', async () => {
    const [port, rate, drop, noConfig, endpoint] = await Promise.all([
      run(['emulator', '--port', '70000']),
      run(['dev', '--rate', 'fast']),
      run(['emulator', '--drop-rate', '2']),
      run(['bridge']),
      run(['dev', '--sfn-endpoint', 'http://127.0.0.1:8083/?x=1']),
    ]);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain("--port: must be an integer from 0 to 65535, got '70000'");
    expect(rate.code).toBe(2);
    expect(rate.stderr).toContain("--rate: must be a number from 0 to 10000, got 'fast'");
    expect(drop.code).toBe(2);
    expect(drop.stderr).toContain('--drop-rate');
    expect(noConfig.code).toBe(2);
    expect(noConfig.stderr).toContain('--config FILE is required');
    // The Step Functions client's own rule: it signs the path as it is, so no query.
    expect(endpoint.code).toBe(2);
    expect(endpoint.stderr).toContain('--sfn-endpoint: the path may hold only');
  });

  it('gives the range rule for negative numbers and names the flag, not the option behind it', async () => {
    const [port, rate, emulatorPort, account] = await Promise.all([
      run(['dev', '--port', '-1']),
      run(['dev', '--rate', '-1']),
      run(['emulator', '--port', '-5']),
      run(['emulator', '--port', '0', '--account-id', '12']),
    ]);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain("--port: must be an integer from 0 to 65535, got '-1'");
    expect(rate.stderr).toContain("--rate: must be a number from 0 to 10000, got '-1'");
    expect(emulatorPort.stderr).toContain("--port: must be an integer from 0 to 65535, got '-5'");
    expect(account.code).toBe(2);
    expect(account.stderr).toContain('--account-id: must be 12 digits');
    expect(account.stderr).not.toContain('accountId');
  });

  it('says a port is in use and how to get a free one', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      const result = await run(['emulator', '--port', String(port)]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `--port ${port} is in use; pick another with --port N, or 0 for a free port`,
      );
    } finally {
      server.close();
    }
  });

  it('refuses a bad config file with exit code 2, naming the field', async () => {
    const { code, stderr } = await run([
      'bridge',
      '--config',
      new URL('./fixtures/bad-polls.yaml', import.meta.url).pathname,
    ]);
    expect(code).toBe(2);
    // The bridge library's own rule, the one rule for this option (the config maps onto it).
    expect(stderr).toContain('activities[1].polls: must be an integer 1–1000, got 5000');
  });
});
