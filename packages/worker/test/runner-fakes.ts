// Plain fakes for the runner's unit specs: a recording TaskSender, the parts of a BullMQ job
// the runner touches, and a pino logger whose lines the spec can read.
import type { ActivityJobData } from '@sfn-bullmq/protocol';
import type { Job } from 'bullmq';
import { pino } from 'pino';
import type { ActivityContext } from '../src/activity-context.js';
import type { StoredActivityJobData } from '../src/activity-run.js';
import { ActivityRunner } from '../src/activity-runner.js';
import { compileActivityProcessorOptions, type ActivityProcessorOptions } from '../src/processor-options.js';
import type { TaskSender } from '../src/task-sender.js';

export type Call = [string, ...unknown[]];

export function recordingSender(overrides: Partial<TaskSender> = {}): TaskSender & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    sendTaskSuccess: (token, output) => {
      calls.push(['success', token, output]);
      return overrides.sendTaskSuccess?.(token, output) ?? Promise.resolve();
    },
    sendTaskFailure: (token, error, cause) => {
      calls.push(['failure', token, error, cause]);
      return overrides.sendTaskFailure?.(token, error, cause) ?? Promise.resolve();
    },
    sendTaskHeartbeat: (token) => {
      calls.push(['heartbeat', token]);
      return overrides.sendTaskHeartbeat?.(token) ?? Promise.resolve();
    },
  };
}

/** The Send* calls that report an outcome (heartbeats left out). */
export function reports(calls: readonly Call[]): Call[] {
  return calls.filter(([kind]) => kind !== 'heartbeat');
}

const ACTIVITY_ARN = 'arn:aws:states:us-east-1:123456789012:activity:resize';

/** The parts of a BullMQ job the runner touches, recording `updateData`. */
export function fakeJob(data: Partial<StoredActivityJobData> | Record<string, unknown> = {}, attempts = 1) {
  const initial = {
    taskToken: 'token-1',
    input: { n: 1 },
    activityArn: ACTIVITY_ARN,
    workerName: 'bridge-1',
    receivedAt: Date.now(),
    ...data,
  } as StoredActivityJobData;
  const job = {
    id: 'tk-1',
    name: 'resize',
    queueName: 'resize',
    attemptsMade: 0,
    attemptsStarted: 1,
    opts: { attempts },
    data: initial,
    updates: [] as StoredActivityJobData[],
    updateData(next: StoredActivityJobData) {
      job.updates.push(next);
      job.data = next;
      return Promise.resolve();
    },
    updateProgress: () => Promise.resolve(),
  };
  return job;
}

export const asJob = (job: ReturnType<typeof fakeJob>) => job as unknown as Job<ActivityJobData>;

export { capturingLogger } from '@sfn-bullmq/test-support';

export function runner<I, O>(
  handler: (input: I, context: ActivityContext) => Promise<O> | O,
  sender: TaskSender,
  options: Partial<ActivityProcessorOptions> = {},
) {
  const compiled = compileActivityProcessorOptions({
    sfn: { sender },
    logger: pino({ level: 'silent' }),
    ...options,
  });
  return new ActivityRunner(handler, { ...compiled, sender });
}

/** What the processor's promise settled to. */
export async function settle(promise: Promise<unknown>): Promise<{ ok: boolean; value: unknown }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, value: error };
  }
}
