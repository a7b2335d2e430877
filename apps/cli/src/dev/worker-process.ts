// The example worker as a child process, as users run it: its own Redis and
// Step Functions connections, logs to a file, SIGTERM for a graceful stop.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Path of the example worker's entry point (`dist/main.js`), found through the package dependency. */
function exampleWorkerMain(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@sfn-bullmq/example-worker/package.json')), 'dist', 'main.js');
}

export interface WorkerProcessOptions {
  env: Record<string, string>;
  logFile: string;
  /** How long SIGTERM may take before SIGKILL. @default 20_000 */
  stopTimeoutMs?: number;
}

export class WorkerProcess {
  private readonly child: ChildProcess;
  private closing: Promise<number | null> | undefined;
  private readonly exited: Promise<number | null>;

  constructor(private readonly options: WorkerProcessOptions) {
    const log = openSync(options.logFile, 'a');
    try {
      // Its own process group: a Ctrl-C in the terminal goes to the whole foreground group, and the
      // worker must keep running until dev mode has let the running executions finish and stops it.
      this.child = spawn(process.execPath, [exampleWorkerMain()], {
        env: { ...process.env, ...options.env },
        stdio: ['ignore', log, log],
        detached: true,
      });
      process.on('exit', this.killOnExit);
    } finally {
      closeSync(log);
    }
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        process.off('exit', this.killOnExit);
        resolve(code ?? (signal === null ? null : 128));
      });
      this.child.once('error', () => resolve(null));
    });
  }

  /** A detached child would outlive a dev process that dies without stopping it. */
  private readonly killOnExit = (): void => {
    this.child.kill('SIGKILL');
  };

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with the exit code when the child ends by itself. */
  onExit(): Promise<number | null> {
    return this.exited;
  }

  /** SIGTERM, then SIGKILL after `stopTimeoutMs`; resolves with the exit code. Idempotent. */
  close(): Promise<number | null> {
    this.closing ??= (async () => {
      if (!this.running) return this.exited;
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), this.options.stopTimeoutMs ?? 20_000);
      try {
        return await this.exited;
      } finally {
        clearTimeout(timer);
      }
    })();
    return this.closing;
  }
}
