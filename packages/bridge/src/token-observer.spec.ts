import { jobIdForToken } from '@sfn-bullmq/protocol';
import { until } from '@sfn-bullmq/test-support';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ActivityPoller } from './activity-poller.js';
import { compileActivityPollerOptions } from './bridge-options.js';
import { ARN, FakeQueue, FakeReporter, FakeSource } from './poller-fakes.spec-helper.js';
import type { ReceivedToken, TokenObserver } from './token-observer.js';

const pollers: { poller: ActivityPoller; source: FakeSource }[] = [];
afterEach(async () => {
  const closing = pollers.splice(0).map(({ poller, source }) => {
    const closed = poller.close();
    source.answerAll();
    return closed;
  });
  await Promise.all(closing);
});

function recordingObserver() {
  const received: ReceivedToken[] = [];
  const settled: { how: string; attempts: number }[] = [];
  const observer: TokenObserver = {
    tokenReceived: (token) => {
      received.push(token);
      return {
        traceContext: { traceparent: `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01` },
        settled: (how, attempts) => void settled.push({ how, attempts }),
      };
    },
  };
  return { observer, received, settled };
}

function makePoller(tokenObserver: TokenObserver, queue = new FakeQueue()) {
  const source = new FakeSource();
  const poller = new ActivityPoller(
    compileActivityPollerOptions({ activityArn: ARN, polls: 1, enqueueDeadlineMs: 60_000 }),
    {
      source,
      queue,
      reporter: new FakeReporter(),
      workerName: 'w',
      logger: pino({ level: 'silent' }),
      tokenObserver,
    },
  );
  pollers.push({ poller, source });
  return { poller, source, queue };
}

describe('a token observer', () => {
  it('hears of each token with its poll’s times, and its trace context goes into the job', async () => {
    const { observer, received, settled } = recordingObserver();
    const { poller, source, queue } = makePoller(observer);
    poller.start();
    await until(() => source.open.length === 1);
    const before = Date.now();
    source.answer({ taskToken: 'token-1', input: '{}' });
    await until(() => settled.length === 1);

    const jobId = jobIdForToken('token-1');
    expect(received).toEqual([
      expect.objectContaining({ activityArn: ARN, queueName: 'resize', jobId }) as ReceivedToken,
    ]);
    expect(received[0]!.pollStartedAt).toBeLessThanOrEqual(before);
    expect(received[0]!.receivedAt).toBeGreaterThanOrEqual(before);
    expect((queue.jobs.get(jobId)?.data as { traceContext?: unknown }).traceContext).toEqual({
      traceparent: `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`,
    });
    expect(settled).toEqual([{ how: 'stored', attempts: 1 }]);
  });

  it('is told after every retry when the token is finally stored', async () => {
    const { observer, settled } = recordingObserver();
    const queue = new FakeQueue();
    queue.failAdds = true;
    const { poller, source } = makePoller(observer, queue);
    poller.start();
    await until(() => source.open.length === 1);
    source.answer({ taskToken: 'token-2', input: '{}' });
    await until(() => queue.adds >= 2);
    expect(settled).toEqual([]);
    queue.failAdds = false;
    await until(() => settled.length === 1);
    expect(settled[0]?.how).toBe('stored');
    expect(settled[0]?.attempts).toBeGreaterThanOrEqual(3);
  });
});
