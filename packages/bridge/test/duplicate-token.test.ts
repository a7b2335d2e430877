import { setTimeout as sleep } from 'node:timers/promises';
import type {} from '@sfn-bullmq/test-support/vitest-global-setup';
import { jobIdForToken, type ActivityJobData } from '@sfn-bullmq/protocol';
import { uniqueName } from '@sfn-bullmq/test-support';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { ActivityPoller, compileActivityPollerOptions, type PolledTask } from '../src/index.js';

const redisUrl = inject('redisUrl');
const ARN = 'arn:aws:states:us-east-1:123456789012:activity:dup';
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function makeQueue(): Queue<ActivityJobData> {
  const queue = new Queue<ActivityJobData>(uniqueName('dup'), { connection: { url: redisUrl } });
  cleanups.push(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
  });
  return queue;
}

describe('a token added twice', () => {
  it('is one job: BullMQ 6.7.0 ignores an add with an existing id and returns the first job', async () => {
    const queue = makeQueue();
    const data = {
      taskToken: 'same-token',
      input: { v: 1 },
      activityArn: ARN,
      workerName: 'w',
      receivedAt: 1,
    };
    const id = jobIdForToken('same-token');
    const first = await queue.add('dup', data, { jobId: id });
    const second = await queue.add('dup', { ...data, input: { v: 2 } }, { jobId: id });
    expect(second.id).toBe(first.id);
    expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 1 });
    expect((await queue.getJob(id))?.data.input).toEqual({ v: 1 });
  });

  it('becomes a second job once the first was removed (retention must outlive any redelivery)', async () => {
    const queue = makeQueue();
    const data = { taskToken: 'again', input: {}, activityArn: ARN, workerName: 'w', receivedAt: 1 };
    const id = jobIdForToken('again');
    await queue.add('dup', data, { jobId: id });
    await (await queue.getJob(id))?.remove();
    await queue.add('dup', data, { jobId: id });
    expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 1 });
  });

  it('through a pool, two deliveries of one token make one job', async () => {
    const queue = makeQueue();
    const answers: PolledTask[] = [
      { taskToken: 'twice', input: '{}' },
      { taskToken: 'twice', input: '{}' },
    ];
    const poller = new ActivityPoller(
      compileActivityPollerOptions({ activityArn: ARN, queueName: queue.name, polls: 1 }),
      {
        source: {
          getActivityTask: () => {
            const answer = answers.shift();
            // After the two deliveries, a long poll that ends empty.
            return answer !== undefined
              ? Promise.resolve(answer)
              : new Promise((resolve) => setTimeout(() => resolve({}), 50));
          },
        },
        reporter: { sendTaskFailure: () => Promise.resolve() },
        queue,
        workerName: 'w',
      },
    );
    cleanups.push(() => poller.close());
    poller.start();
    const deadline = Date.now() + 5_000;
    while (answers.length > 0 || poller.heldTokens > 0) {
      if (Date.now() > deadline) throw new Error('deliveries not processed');
      await sleep(10);
    }
    expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 1 });
  });
});
