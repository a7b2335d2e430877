// The parent's handle on one benchmark child process (bench-child.ts): calls by command name,
// CPU and memory readings, and an idempotent close that closes its roles, then ends the process.
import { fileURLToPath } from 'node:url';
import type { ChildRequest } from './child-protocol.js';
import { IpcChild } from './ipc-child.js';

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
  private closing: Promise<void> | undefined;

  private constructor(
    readonly name: string,
    private readonly ipc: IpcChild<ChildRequest>,
  ) {}

  static async start(name: string): Promise<BenchProcess> {
    const { child } = await IpcChild.start<ChildRequest>(name, ENTRY, { args: [name], execArgv: EXEC_ARGV });
    return new BenchProcess(name, child);
  }

  call<T = Record<string, unknown>>(command: string, args: Record<string, unknown> = {}): Promise<T> {
    return this.ipc.request<T>({ command, args });
  }

  usage(): Promise<ProcessUsage> {
    return this.call<ProcessUsage>('usage');
  }

  async reset(): Promise<void> {
    await this.call('reset');
  }

  /** Closes every role in the child (at most 5 s), then ends the process. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await Promise.race([this.reset(), new Promise((r) => setTimeout(r, 5_000))]);
      } catch {
        // The process may already be gone; it is ended below either way.
      }
      await this.ipc.end();
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
