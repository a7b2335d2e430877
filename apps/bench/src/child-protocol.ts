// The IPC messages between the benchmark runner and its child processes.

export interface ChildRequest {
  id: number;
  command: string;
  args: Record<string, unknown>;
}

export type ChildResponse =
  { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
