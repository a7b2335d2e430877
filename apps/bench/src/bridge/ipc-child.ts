// The parent's side of the bridge benchmark's child processes (emulator-process, idle-bridge):
// requests by id over IPC, replies as IpcReply, and a child that exits fails what is pending
// instead of leaving the benchmark waiting forever.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** What both children send: id 0 once ready, then one reply per request id. */
export type IpcReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/** Whether this module runs as TypeScript (tsx, vitest) rather than compiled from dist. */
export const RUNNING_TS = import.meta.url.endsWith('.ts');

/** A sibling module of this directory, as it exists in the running tree (src/*.ts or dist/*.js). */
export function siblingEntry(name: string): string {
  return fileURLToPath(new URL(`./${name}${RUNNING_TS ? '.ts' : '.js'}`, import.meta.url));
}

/**
 * A sibling module in dist, even when this module runs from src: for a child that must run
 * compiled under plain node whatever runs the benchmark.
 */
export function distEntry(name: string): string {
  const file = fileURLToPath(
    new URL(RUNNING_TS ? `../../dist/bridge/${name}.js` : `./${name}.js`, import.meta.url),
  );
  if (!existsSync(file))
    throw new Error(`${file} is missing: build first (pnpm --filter @sfn-bullmq/bench run build)`);
  return file;
}

export class IpcChild<Request extends { id: number }> {
  private nextId = 1;
  private readonly waiters = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (message: IpcReply) => {
      const waiter = this.waiters.get(message.id);
      if (waiter === undefined) return;
      this.waiters.delete(message.id);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new Error(`${name}: ${message.error}`));
    });
    child.on('exit', (code, signal) => {
      for (const waiter of this.waiters.values())
        waiter.reject(new Error(`${name} exited (${signal ?? code})`));
      this.waiters.clear();
    });
  }

  /**
   * Forks `file` and resolves with the child and its ready value (the result of id 0).
   * `execArgv` is passed as given: [] runs the child under plain node even when this process has a loader.
   */
  static async start<Request extends { id: number }>(
    name: string,
    file: string,
    args: string[],
    execArgv: string[],
  ): Promise<{ child: IpcChild<Request>; ready: unknown }> {
    const child = fork(file, args, {
      execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: {
        ...process.env,
        // The v3 SDK's notice that releases after January 2027 need Node 22; the versions are pinned (FACTS §4).
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

  /** Closes the channel (each child exits on 'disconnect') and waits for the exit. */
  async end(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    if (this.child.connected) this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
