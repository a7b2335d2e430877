// The narrow interfaces the queued-heartbeat scheduler works through, so its unit tests pass plain
// objects: the index of waiting tokens, the duty lock, the heartbeat call and the job removal.

/** Where a tracked token's job is now. `gone`: no job, or finished; `active`: a worker holds its lock. */
export type QueuedTaskState = 'queued' | 'active' | 'gone';

/** Tokens the bridge stored, each with the time of its receipt or last queued heartbeat (a Redis sorted set). */
export interface QueuedTaskIndex {
  /** Tokens last heartbeated (or received) at or before `atOrBeforeMs`, oldest first, at most `limit`. */
  due(atOrBeforeMs: number, limit: number): Promise<string[]>;
  /** Each token's job state, in order. */
  states(tokens: readonly string[]): Promise<QueuedTaskState[]>;
  /** Records a heartbeat (or a look) at `atMs` for a token still tracked. */
  touch(token: string, atMs: number): Promise<void>;
  /** Stops tracking a token. */
  forget(token: string): Promise<void>;
  /** Tokens tracked. */
  size(): Promise<number>;
  /** Tokens whose last heartbeat (or receipt) is before `beforeMs`. */
  countBefore(beforeMs: number): Promise<number>;
}

/** One bridge per queue heartbeats its waiting jobs; `hold()` takes or renews that duty. */
export interface DutyLock {
  /** True when this bridge holds the duty now (taken or renewed). */
  hold(): Promise<boolean>;
  /** Gives the duty up so another bridge takes it at once. */
  release(): Promise<void>;
}

/** SendTaskHeartbeat (an `SfnActivityClient` fits). */
export interface HeartbeatSender {
  sendTaskHeartbeat(request: { taskToken: string }): Promise<void>;
}

/** Removes a job unless a worker holds its lock (BullMQ's `Queue.remove`: 1 removed, 0 locked). */
export interface JobRemover {
  remove(jobId: string): Promise<number>;
}
