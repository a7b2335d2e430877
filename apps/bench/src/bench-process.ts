// The parent's handle on one benchmark child process: typed-enough calls over IPC,
// CPU and memory readings, and an idempotent close that always ends the process.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildRequest, ChildResponse } from './child-protocol.js';

const RUNNING_TS = import.meta.url.endsWith('.ts');
/**
 * From dist (`pnpm bench` runs dist/main.js) children run compiled JS under plain node, as users
 * run the bridge; their RSS then carries no loader. From src (tsx, vitest) they need tsx's loader.
 */
const ENTRY = fileURLToPath(new URL(RUNNING_TS ? './bench-child.ts' : './bench-child.js', import.meta.url));
const EXEC_ARGV = RUNNING_TS ? ['--import', 'tsx'] : [];

/** How the children run, for the tables' "how measured" wording. */
export const CHILD_RUNTIME = RUNNING_TS
  ? `TypeScript under tsx (node ${process.version}), whose loader adds its own RSS`
  : `compiled JS under plain node ${process.version}`;

export interface ProcessUsage {
  rss: number;
  cpu: { user: number; system: number };
  at: number;
}

export class BenchProcess {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private closing: Promise<void> | undefined;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (message: ChildResponse) => {
      const waiter = this.pending.get(message.id);
      if (waiter === undefined) return;
      this.pending.delete(message.id);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new Error(`${name}: ${message.error}`));
    });
    child.on('error', () => undefined);
    child.on('exit', (code) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`${name} exited (${code})`));
      this.pending.clear();
    });
  }

  static async start(name: string): Promise<BenchProcess> {
    const child = fork(ENTRY, [name], {
      execArgv: EXEC_ARGV,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: {
        ...process.env,
        AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1',
        // The v3 SDK's notice that releases after January 2027 need Node 22; the versions are pinned (FACTS §4).
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
    });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`${name} exited during start (${code})`)));
    });
    return new BenchProcess(name, child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  call<T = Record<string, unknown>>(command: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    const request: ChildRequest = { id, command, args };
    return new Promise<T>((resolve, reject) => {
      if (!this.child.connected) {
        reject(new Error(`${this.name}: process is gone`));
        return;
      }
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send(request, (error) => {
        if (error === null) return;
        this.pending.delete(id);
        reject(error);
      });
    });
  }

  usage(): Promise<ProcessUsage> {
    return this.call<ProcessUsage>('usage');
  }

  async reset(): Promise<void> {
    await this.call('reset');
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await Promise.race([this.reset(), new Promise((r) => setTimeout(r, 5_000))]);
      } catch {
        // The process may already be gone; it is ended below either way.
      }
      if (this.child.exitCode === null && this.child.signalCode === null) {
        const exited = new Promise((resolve) => this.child.once('exit', resolve));
        this.child.disconnect();
        const timer = setTimeout(() => this.child.kill('SIGKILL'), 2_000);
        await exited;
        clearTimeout(timer);
      }
    })();
    return this.closing;
  }
}

/** CPU used between two readings, as a percentage of one core. */
export function cpuPercent(before: ProcessUsage, after: ProcessUsage): number {
  const usedUs = after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system;
  const elapsedMs = after.at - before.at;
  return elapsedMs > 0 ? (usedUs / 1000 / elapsedMs) * 100 : 0;
}
