// Running a command to its end (npm install, pnpm pack, tsc, the CLI's --version):
// its output captured, and a failure that shows the command, its exit and its output's tail.
import { spawn } from 'node:child_process';
import { killOnTestExit, signalGroup } from './process-group.js';

/** A command that exited non-zero, was killed, or ran past its deadline; the message carries its output's tail. */
class CommandFailedError extends Error {
  override readonly name = 'CommandFailedError';

  constructor(
    readonly command: string,
    readonly cwd: string,
    readonly exit: string,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(
      `${command} (in ${cwd}) failed: ${exit}\n` +
        `--- stderr (tail) ---\n${tail(stderr) || '(empty)'}\n` +
        `--- stdout (tail) ---\n${tail(stdout) || '(empty)'}`,
    );
  }
}

export interface RunOptions {
  cwd: string;
  /** Added to the environment of the test process. */
  env?: Record<string, string>;
  /** Killed (and reported) after this long. @default 180_000 */
  timeoutMs?: number;
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** npm settings a child may still take from the environment: where the registry is and how to reach it. */
const KEPT_NPM_ENV = new Set(['npm_config_registry', 'npm_config_proxy', 'npm_config_https_proxy']);

/**
 * The test process's environment without what `pnpm run` adds (`npm_config_*`, `npm_package_*`, `PNPM_*`…),
 * so that a consumer's npm sees a user's shell, not our workspace; then `extra` on top.
 */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const fromPnpm = /^(npm_|pnpm_)/i.test(key) && !KEPT_NPM_ENV.has(key.toLowerCase());
    if (!fromPnpm) env[key] = value;
  }
  return { ...env, ...extra };
}

/** The last `lines` lines of `text`, each cut to 400 characters (npm's lines can be very long). */
export function tail(text: string, lines = 40): string {
  return text
    .trimEnd()
    .split('\n')
    .slice(-lines)
    .map((line) => (line.length > 400 ? `${line.slice(0, 400)}…` : line))
    .join('\n');
}

/** Runs `command args` and resolves with its output once it exits 0; rejects with `CommandFailedError` otherwise. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? 180_000;
  const shown = `${command} ${args.join(' ')}`;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: childEnv(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    killOnTestExit(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    // Past the deadline: SIGTERM (dev, for one, then stops its workers), SIGKILL if that is not enough.
    const timer = setTimeout(() => {
      timedOut = true;
      signalGroup(child, 'SIGTERM');
      killTimer = setTimeout(() => signalGroup(child, 'SIGKILL'), 10_000);
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(
        new CommandFailedError(shown, options.cwd, `could not start (${error.message})`, stdout, stderr),
      );
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      if (code === 0) {
        resolve({ stdout, stderr });
        return;
      }
      const exit = timedOut
        ? `killed after ${timeoutMs} ms`
        : signal !== null
          ? `killed by ${signal}`
          : `exit code ${code}`;
      reject(new CommandFailedError(shown, options.cwd, exit, stdout, stderr));
    });
  });
}
