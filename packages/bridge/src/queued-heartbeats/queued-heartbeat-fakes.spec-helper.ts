// Plain stand-ins for the queued-heartbeat ports: an in-memory index with job states the test sets,
// a duty lock the test grants or takes away, a sender that records (and can refuse) heartbeats.
import type { DutyLock, HeartbeatSender, JobRemover, QueuedTaskIndex, QueuedTaskState } from './ports.js';

export class FakeIndex implements QueuedTaskIndex {
  readonly scores = new Map<string, number>();
  readonly state = new Map<string, QueuedTaskState>();

  add(token: string, atMs: number, state: QueuedTaskState = 'queued'): void {
    this.scores.set(token, atMs);
    this.state.set(token, state);
  }
  due(atOrBeforeMs: number, limit: number): Promise<string[]> {
    return Promise.resolve(
      [...this.scores]
        .filter(([, score]) => score <= atOrBeforeMs)
        .sort((a, b) => a[1] - b[1])
        .slice(0, limit)
        .map(([token]) => token),
    );
  }
  states(tokens: readonly string[]): Promise<QueuedTaskState[]> {
    return Promise.resolve(tokens.map((token) => this.state.get(token) ?? 'gone'));
  }
  touch(token: string, atMs: number): Promise<void> {
    if (this.scores.has(token)) this.scores.set(token, atMs);
    return Promise.resolve();
  }
  forget(token: string): Promise<void> {
    this.scores.delete(token);
    return Promise.resolve();
  }
  size(): Promise<number> {
    return Promise.resolve(this.scores.size);
  }
  countBefore(beforeMs: number): Promise<number> {
    return Promise.resolve([...this.scores.values()].filter((score) => score < beforeMs).length);
  }
}

export class FakeLock implements DutyLock {
  granted = true;
  released = 0;
  hold(): Promise<boolean> {
    return Promise.resolve(this.granted);
  }
  release(): Promise<void> {
    this.released += 1;
    return Promise.resolve();
  }
}

/** Records each heartbeat with the time it was sent; `answer` decides each reply (resolve or an error). */
export class FakeSender implements HeartbeatSender {
  readonly sent: { token: string; at: number }[] = [];
  answer: (token: string) => Error | undefined = () => undefined;
  constructor(private readonly now: () => number) {}
  sendTaskHeartbeat({ taskToken }: { taskToken: string }): Promise<void> {
    this.sent.push({ token: taskToken, at: this.now() });
    const error = this.answer(taskToken);
    return error === undefined ? Promise.resolve() : Promise.reject(error);
  }
  times(token: string): number[] {
    return this.sent.filter((s) => s.token === token).map((s) => s.at);
  }
}

export class FakeRemover implements JobRemover {
  readonly removed: string[] = [];
  remove(jobId: string): Promise<number> {
    this.removed.push(jobId);
    return Promise.resolve(1);
  }
}

/** An error as SfnActivityClient rejects with: the service's error name. */
export function serviceError(name: string): Error {
  const error = new Error(`${name}: from the test`);
  error.name = name;
  return error;
}
