// Helpers to run `sfn-bullmq` as a child process, as users do, and watch its output.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../bin/sfn-bullmq.js', import.meta.url));

export interface CliRun {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when the output matches `pattern`; rejects on exit or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills it if it still runs. */
  kill(): Promise<void>;
}

export interface RunCliOptions {
  /** Its own process group, as a terminal's foreground job: `process.kill(-pid, sig)` then signals it all. */
  processGroup?: boolean;
  /** Options for node itself, before the script (e.g. `--import` a hook). */
  nodeArgs?: string[];
  /** The whole environment instead of this process's plus `env` (for a run with no AWS variables). */
  replaceEnv?: boolean;
  /** Another program than the CLI (e.g. `['pnpm', 'dev']`); `args` follow it. */
  command?: string[];
  cwd?: string;
}

export function runCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  { processGroup = false, nodeArgs = [], replaceEnv = false, command, cwd }: RunCliOptions = {},
): CliRun {
  const [program, ...programArgs] = command ?? [process.execPath, ...nodeArgs, BIN];
  const child = spawn(program ?? process.execPath, [...programArgs, ...args], {
    ...(cwd === undefined ? {} : { cwd }),
    env: replaceEnv ? env : { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: processGroup,
  });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (const listener of listeners) listener();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      for (const listener of listeners) listener();
      resolve({ code, signal });
    });
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no ${pattern} in ${timeoutMs} ms; stdout:\n${out}\nstderr:\n${err}`));
        }, timeoutMs);
        const check = () => {
          const match = pattern.exec(out);
          if (match !== null) {
            clearTimeout(timer);
            listeners.delete(check);
            resolve(match);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            clearTimeout(timer);
            listeners.delete(check);
            reject(new Error(`exited before ${pattern}; stdout:\n${out}\nstderr:\n${err}`));
          }
        };
        listeners.add(check);
        check();
      });
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
