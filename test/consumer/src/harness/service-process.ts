// Long-running children of a test (the packed CLI's emulator and bridge, the consumer apps):
// output captured, waited on by pattern, stopped by pid, and every one reaped in teardown.
import { spawn, type ChildProcess } from 'node:child_process';
import { killOnTestExit, signalGroup } from './process-group.js';
import { childEnv, tail } from './run-command.js';

/** A service that exited, or did not print what it was expected to; the message carries its output's tail. */
export class ServiceProcessError extends Error {
  override readonly name = 'ServiceProcessError';
}

export interface ServiceSpawnOptions {
  cwd: string;
  /** Added to the environment of the test process. */
  env?: Record<string, string>;
}

/** One child process: its output so far and how it exited. */
export class ServiceProcess {
  readonly exited: Promise<string>;
  private output = '';
  private exitText: string | undefined;

  constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    const capture = (chunk: Buffer): void => {
      // Only the tail is kept: a failure shows the last lines, and a chatty child must not fill memory.
      this.output = (this.output + chunk.toString('utf8')).slice(-200_000);
    };
    child.stdout?.on('data', capture);
    child.stderr?.on('data', capture);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitText = signal !== null ? `killed by ${signal}` : `exit code ${code}`;
        resolve(this.exitText);
      });
      child.once('error', (error) => {
        this.exitText = `could not start (${error.message})`;
        resolve(this.exitText);
      });
    });
  }

  get running(): boolean {
    return this.exitText === undefined;
  }

  /** stdout and stderr so far, interleaved. */
  get text(): string {
    return this.output;
  }

  /** What went wrong, with the output's tail, as an error to throw. */
  failure(problem: string): ServiceProcessError {
    const state = this.exitText === undefined ? 'still running' : this.exitText;
    return new ServiceProcessError(
      `${this.name}: ${problem} (${state})\n--- output (tail) ---\n${tail(this.output) || '(empty)'}`,
    );
  }

  /** Resolves with the first match of `pattern` in the output; rejects if the process exits first or time runs out. */
  async waitForOutput(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.output.match(pattern);
      if (match !== null) return match;
      if (!this.running) throw this.failure(`exited before printing ${pattern}`);
      if (Date.now() > deadline) throw this.failure(`did not print ${pattern} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Rejects as soon as the process exits: race it against a wait so that a crash ends the wait at once. */
  async failOnExit(): Promise<never> {
    await this.exited;
    throw this.failure('exited while it should have been running');
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with how it exited. */
  async stop(graceMs = 15_000): Promise<string> {
    if (this.running) {
      signalGroup(this.child, 'SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), graceMs);
      });
      const result = await Promise.race([this.exited, late]);
      clearTimeout(timer);
      if (result === 'late') signalGroup(this.child, 'SIGKILL');
    }
    return this.exited;
  }
}

/** The children of one test file; `close()` stops every one still running. */
export class ServiceProcesses {
  private readonly services: ServiceProcess[] = [];
  private closing: Promise<void> | undefined;

  spawn(
    name: string,
    command: string,
    args: readonly string[],
    options: ServiceSpawnOptions,
  ): ServiceProcess {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: childEnv(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    killOnTestExit(child);
    const service = new ServiceProcess(name, child);
    this.services.push(service);
    return service;
  }

  /** Stops every child (in reverse order of start, so that clients go before the services they use). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const service of [...this.services].reverse()) await service.stop();
    })();
    return this.closing;
  }
}
