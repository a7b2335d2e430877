// Plain stand-ins for the poller's ports: a Step Functions whose polls the test answers one by one,
// a queue that can refuse adds, and a reporter that records failures.
import type { PolledTask } from '@sfn-bullmq/protocol';
import type { ActivityJobQueue, ActivityTaskSource, TaskFailureReporter } from './ports.js';

export const ARN = 'arn:aws:states:us-east-1:123456789012:activity:resize';

interface OpenPoll {
  resolve(task: PolledTask): void;
  reject(error: unknown): void;
}

/** A Step Functions stand-in whose polls the test answers one by one. */
export class FakeSource implements ActivityTaskSource {
  readonly open: OpenPoll[] = [];
  calls = 0;
  getActivityTask(): Promise<PolledTask> {
    this.calls += 1;
    return new Promise((resolve, reject) => this.open.push({ resolve, reject }));
  }
  answer(task: PolledTask = {}): void {
    const poll = this.open.shift();
    if (poll === undefined) throw new Error('no open poll');
    poll.resolve(task);
  }
  fail(error: unknown): void {
    const poll = this.open.shift();
    if (poll === undefined) throw new Error('no open poll');
    poll.reject(error);
  }
  answerAll(): void {
    while (this.open.length > 0) this.answer();
  }
}

export class FakeQueue implements ActivityJobQueue {
  readonly jobs = new Map<string, { name: string; data: unknown; opts: unknown }>();
  failAdds = false;
  waiting = 0;
  adds = 0;
  add(name: string, data: unknown, opts?: { jobId?: string }): Promise<unknown> {
    this.adds += 1;
    if (this.failAdds)
      return Promise.reject(new Error("Stream isn't writeable and enableOfflineQueue options is false"));
    const id = opts?.jobId ?? String(this.adds);
    if (!this.jobs.has(id)) {
      this.jobs.set(id, { name, data, opts });
      this.waiting += 1;
    }
    return Promise.resolve({ id });
  }
  getJob(id: string): Promise<unknown> {
    if (this.failAdds) return Promise.reject(new Error('down'));
    return Promise.resolve(this.jobs.get(id));
  }
  getJobCounts(): Promise<Record<string, number>> {
    return Promise.resolve({ waiting: this.waiting, prioritized: 0 });
  }
}

export class FakeReporter implements TaskFailureReporter {
  readonly failures: { taskToken: string; error: string; cause: string }[] = [];
  sendTaskFailure(request: { taskToken: string; error: string; cause: string }): Promise<void> {
    this.failures.push(request);
    return Promise.resolve();
  }
}
