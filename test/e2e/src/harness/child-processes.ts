// Child processes of one scenario: spawned with their output captured to log files,
// killed by pid (SIGTERM, SIGKILL), and all reaped in teardown even when a test failed.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { WaitTimeoutError } from '@sfn-bullmq/test-support';

export interface SpawnOptions {
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
}

/** One child process: its log file, its output so far, and a promise of its exit. */
export class Child {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private output = '';
  private readonly log: WriteStream;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(
    readonly name: string,
    readonly logFile: string,
    private readonly child: ChildProcess,
  ) {
    this.log = createWriteStream(logFile, { flags: 'a' });
    const capture = (chunk: Buffer): void => {
      // Keep only the tail in memory; the whole output is in the log file.
      this.output = (this.output + chunk.toString('utf8')).slice(-200_000);
      this.log.write(chunk);
    };
    child.stdout?.on('data', capture);
    child.stderr?.on('data', capture);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
      child.once('error', (error) => {
        capture(Buffer.from(`\n[harness] spawn error: ${error.message}\n`));
        this.exitInfo = { code: -1, signal: null };
        resolve(this.exitInfo);
      });
    });
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  get exit(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    return this.exitInfo;
  }

  /** The output so far (stdout and stderr interleaved). */
  get text(): string {
    return this.output;
  }

  /** Resolves with the first match of `pattern` in the output; rejects if the process exits first. */
  async waitForOutput(pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.output.match(pattern);
      if (match !== null) return match;
      if (!this.running) {
        throw new Error(`${this.name} exited (${JSON.stringify(this.exit)}) before printing ${pattern}`);
      }
      if (Date.now() > deadline) {
        throw new WaitTimeoutError(`${this.name} did not print ${pattern} within ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** Sends `signal` to this process (by its pid); a no-op once it has exited. */
  signal(signal: NodeJS.Signals): void {
    if (this.running && this.child.pid !== undefined) {
      try {
        process.kill(this.child.pid, signal);
      } catch {
        // Already gone between the check and the kill.
      }
    }
  }

  /** Resolves with how it exited; rejects after `timeoutMs` if it is still running. */
  async waitForExit(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new WaitTimeoutError(`${this.name} did not exit within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** `kill -9` and wait until it is reaped. */
  async kill9(): Promise<void> {
    this.signal('SIGKILL');
    await this.exited;
  }

  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.signal('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), graceMs);
    });
    const result = await Promise.race([this.exited, late]);
    clearTimeout(timer);
    if (result === 'late') await this.kill9();
  }

  closeLog(): Promise<void> {
    return new Promise((resolve) => this.log.end(() => resolve()));
  }
}

/** Children of every scenario in this process, SIGKILLed if the process exits before their teardown ran. */
const live = new Set<Child>();
process.once('exit', () => {
  for (const child of live) child.signal('SIGKILL');
});

/** Every child a scenario started; `closeAll()` kills the ones still running. */
export class ChildProcesses {
  private readonly children: Child[] = [];
  private closing: Promise<void> | undefined;

  constructor(private readonly logDir: string) {}

  get all(): readonly Child[] {
    return this.children;
  }

  spawn(name: string, command: string, options: SpawnOptions): Child {
    const logFile = join(this.logDir, `${name}.log`);
    const child = spawn(command, options.args, {
      cwd: options.cwd,
      // process.env carries vitest.config.ts's `env` (the SDK's Node 22 notice turned off).
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const wrapped = new Child(name, logFile, child);
    this.children.push(wrapped);
    live.add(wrapped);
    void wrapped.exited.then(() => live.delete(wrapped));
    return wrapped;
  }

  /** The last `lines` lines of every child's log, for a failure message. */
  tails(lines = 30): string {
    return this.children
      .map((child) => {
        let text: string;
        try {
          text = readFileSync(child.logFile, 'utf8');
        } catch {
          text = child.text;
        }
        const tail = text.trimEnd().split('\n').slice(-lines).join('\n');
        return `── ${child.name} (${child.logFile}, ${child.running ? 'running' : JSON.stringify(child.exit)}) ──\n${tail}`;
      })
      .join('\n');
  }

  /** Kills every child still running (SIGKILL: teardown must not wait for drains) and closes the logs. Idempotent. */
  closeAll(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled(this.children.map((child) => child.kill9()));
      await Promise.allSettled(this.children.map((child) => child.closeLog()));
    })();
    return this.closing;
  }
}
