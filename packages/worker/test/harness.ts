// Test harness: an emulator, the real SDK over HTTP, and BullMQ queues on the
// run's private Redis; tasks delivered the way the bridge would, without the bridge.
import { GetActivityTaskCommand, SFNClient } from '@aws-sdk/client-sfn';
import { startEmulator, type Emulator, type EmulatorOptions } from '@sfn-bullmq/emulator';
import { jobIdForToken, parseTaskInput, type ActivityJobData } from '@sfn-bullmq/protocol';
import { uniqueName, until } from '@sfn-bullmq/test-support';
import { Queue, type Job } from 'bullmq';
import { pino, type Logger } from 'pino';

export const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** BullMQ connection options for a `redis://host:port` URL. */
export function connectionOf(redisUrl: string): { host: string; port: number } {
  const url = new URL(redisUrl);
  return { host: url.hostname, port: Number(url.port) };
}

/** A logger that prints only when DEBUG_TESTS is set, so failures can be investigated. */
export function testLogger(): Logger {
  return pino({ level: process.env['DEBUG_TESTS'] === undefined ? 'silent' : 'debug' });
}

export interface Harness {
  emulator: Emulator;
  sfn: SFNClient;
  close(): Promise<void>;
}

export async function startHarness(options: EmulatorOptions = {}): Promise<Harness> {
  const emulator = await startEmulator({ pollTimeoutMs: 1_000, ...options });
  const sfn = new SFNClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials });
  return {
    emulator,
    sfn,
    async close() {
      sfn.destroy();
      await emulator.close();
    },
  };
}

/** One activity with its queue (named after it), closed by `close()`. */
export interface Activity {
  name: string;
  arn: string;
  queue: Queue<ActivityJobData>;
  close(): Promise<void>;
}

export function createActivity(harness: Harness, redisUrl: string): Activity {
  const name = uniqueName('act');
  const arn = harness.emulator.createActivity(name);
  const queue = new Queue<ActivityJobData>(name, { connection: connectionOf(redisUrl) });
  return {
    name,
    arn,
    queue,
    async close() {
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    },
  };
}

/**
 * Schedules a task in the emulator, takes its token with GetActivityTask (as the bridge would) and adds
 * the job the bridge would add. Returns the task's outcome promise and the job.
 */
export async function deliverTask(
  harness: Harness,
  activity: Activity,
  input: unknown,
  options: { timeoutSeconds?: number; heartbeatSeconds?: number; addJob?: boolean } = {},
): Promise<{
  outcome: ReturnType<Emulator['scheduleTask']>['outcome'];
  job: Job<ActivityJobData> | undefined;
  data: ActivityJobData;
}> {
  const { outcome } = harness.emulator.scheduleTask(activity.arn, JSON.stringify(input), options);
  const { job, data } = await pollAndEnqueue(harness, activity, options);
  return { outcome, job, data };
}

/** Takes the next task of the activity with GetActivityTask and adds the job the bridge would add. */
export async function pollAndEnqueue(
  harness: Harness,
  activity: Activity,
  options: { addJob?: boolean } = {},
): Promise<{ job: Job<ActivityJobData> | undefined; data: ActivityJobData }> {
  const task = await harness.sfn.send(
    new GetActivityTaskCommand({ activityArn: activity.arn, workerName: 'test-bridge' }),
  );
  if (task.taskToken === undefined) throw new Error('the poll got no task');
  const data: ActivityJobData = {
    taskToken: task.taskToken,
    ...parseTaskInput(task.input),
    activityArn: activity.arn,
    workerName: 'test-bridge',
    receivedAt: Date.now(),
  };
  const job =
    options.addJob === false
      ? undefined
      : await activity.queue.add(activity.name, data, { jobId: jobIdForToken(task.taskToken) });
  return { job, data };
}

/** Waits until the job is completed or failed, and returns it fresh from Redis. */
export async function finishedJob(
  queue: Queue<ActivityJobData>,
  jobId: string,
  timeoutMs = 10_000,
): Promise<Job<ActivityJobData>> {
  await until(
    async () => {
      const state = await queue.getJobState(jobId);
      return state === 'completed' || state === 'failed';
    },
    timeoutMs,
    `job ${jobId} to finish`,
  );
  // Read after the state settled, so returnvalue and failedReason are there.
  const job = await queue.getJob(jobId);
  if (job === undefined) throw new Error(`job ${jobId} is gone`);
  return job;
}
