import { afterEach, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from './cli-process.js';

const runs: CliRun[] = [];
afterEach(async () => {
  await Promise.all(runs.splice(0).map((run) => run.kill()));
});

async function run(args: string[], env: Record<string, string> = {}) {
  const cli = runCli(args, env);
  runs.push(cli);
  const { code } = await cli.exited;
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}

describe('sfn-bullmq command line', () => {
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

  it('refuses a bad config file with exit code 2, naming the field', async () => {
    const { code, stderr } = await run([
      'bridge',
      '--config',
      new URL('./fixtures/bad-polls.yaml', import.meta.url).pathname,
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain('activities[1].polls: must be 1–1000, got 5000');
  });
});
