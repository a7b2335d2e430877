// The parent's side of a benchmark child process: requests by id over IPC, replies as ChildReply
// (child-protocol.ts), a child that exits fails what is pending instead of leaving the benchmark
// waiting forever, and an idempotent end that always ends the process.
import { fork, type ChildProcess } from 'node:child_process';
import type { ChildReply } from './child-protocol.js';

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

export interface IpcChildOptions {
  args?: string[];
  /** Passed as given: [] runs the child under plain node even when this process has a loader. */
  execArgv: string[];
}

export class IpcChild<Request extends { id: number }> {
  private nextId = 1;
  private readonly waiters = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private ending: Promise<void> | undefined;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (message: ChildReply) => {
      const waiter = this.waiters.get(message.id);
      if (waiter === undefined) return;
      this.waiters.delete(message.id);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new Error(`${name}: ${message.error}`));
    });
    // A failed send is reported to request()'s callback; the event still needs a listener.
    child.on('error', () => undefined);
    child.on('exit', (code, signal) => {
      for (const waiter of this.waiters.values())
        waiter.reject(new Error(`${name} exited (${signal ?? code})`));
      this.waiters.clear();
    });
  }

  /** Forks `file` and resolves with the child and its ready value (the result of id 0). */
  static async start<Request extends { id: number }>(
    name: string,
    file: string,
    options: IpcChildOptions,
  ): Promise<{ child: IpcChild<Request>; ready: unknown }> {
    const child = fork(file, options.args ?? [], {
      execArgv: options.execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: {
        ...process.env,
        AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1',
        // The v3 SDK's notice that releases after January 2027 need Node 22; the versions are pinned (docs/aws-sdk.md#pinned-sdk-version).
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
    });
    // If the benchmark fails half-way, the child must not outlive it.
    process.once('exit', () => child.kill());
    const ipc = new IpcChild<Request>(name, child);
    const ready = await new Promise<unknown>((resolve, reject) => ipc.waiters.set(0, { resolve, reject }));
    return { child: ipc, ready };
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  request<T>(request: WithoutId<Request>): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      if (!this.child.connected) {
        reject(new Error(`${this.name}: process is gone`));
        return;
      }
      this.waiters.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ ...request, id }, (error) => {
        if (error === null) return;
        this.waiters.delete(id);
        reject(error);
      });
    });
  }

  /** Closes the channel (each child exits on 'disconnect') and waits for the exit; SIGKILL after 5 s. */
  end(): Promise<void> {
    this.ending ??= (async () => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return;
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      if (this.child.connected) this.child.disconnect();
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    })();
    return this.ending;
  }
}
