import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ActivityBroker, type PollReply, type PollSink } from './activity-broker.js';
import { DEFAULT_FAULTS, type EmulatorFaults } from './faults.js';
import type { ActivityTaskOutcome } from './task-scheduler.js';

interface RecordingSink extends PollSink {
  answers: (PollReply | undefined)[];
  dropped: number;
}

function sink(): RecordingSink {
  const recording: RecordingSink = {
    answers: [],
    dropped: 0,
    answer: (reply) => recording.answers.push(reply),
    drop: () => {
      recording.dropped += 1;
    },
  };
  return recording;
}

describe('ActivityBroker', () => {
  let faults: EmulatorFaults;
  let broker: ActivityBroker;
  let arn: string;
  let random: number;

  beforeEach(() => {
    vi.useFakeTimers();
    faults = { ...DEFAULT_FAULTS };
    random = 0.99;
    broker = new ActivityBroker({
      region: 'us-east-1',
      accountId: '123456789012',
      pollTimeoutMs: 1000,
      maxPollsPerActivity: 100,
      faults: () => faults,
      random: () => random,
    });
    arn = broker.createActivity('unit').activityArn;
  });
  afterEach(() => {
    broker.close();
    vi.useRealTimers();
  });

  function schedule(input: string, options: { timeoutSeconds?: number; heartbeatSeconds?: number } = {}) {
    const outcomes: ActivityTaskOutcome[] = [];
    const started: (string | undefined)[] = [];
    const handle = broker.schedule(
      { activityArn: arn, input, ...options },
      { onStarted: (worker) => started.push(worker), onClosed: (outcome) => outcomes.push(outcome) },
    );
    return { outcomes, started, handle };
  }

  it('gives the oldest task to the longest-waiting poll', () => {
    const sinks = [sink(), sink(), sink()];
    sinks.forEach((s, index) => broker.poll(arn, `w${index}`, s));
    const tasks = ['a', 'b', 'c'].map((input) => schedule(input));
    expect(sinks.map((s) => s.answers[0]?.input)).toEqual(['a', 'b', 'c']);
    expect(tasks.map((task) => task.started)).toEqual([['w0'], ['w1'], ['w2']]);
  });

  it('queues tasks until polls come, first scheduled first served', () => {
    schedule('first');
    schedule('second');
    const one = sink();
    const two = sink();
    broker.poll(arn, undefined, one);
    broker.poll(arn, undefined, two);
    expect(one.answers[0]?.input).toBe('first');
    expect(two.answers[0]?.input).toBe('second');
  });

  it('closes each task exactly once and refuses later reports with TaskTimedOut', () => {
    const task = schedule('x');
    const s = sink();
    broker.poll(arn, undefined, s);
    const token = s.answers[0]!.taskToken;
    broker.sendTaskSuccess(token, '{}');
    expect(() => broker.sendTaskFailure(token, 'E', undefined)).toThrow(/Task Timed Out/);
    expect(() => broker.sendTaskHeartbeat(token)).toThrow(/Task Timed Out/);
    expect(() => broker.sendTaskSuccess('not-a-token', '{}')).toThrow(/Invalid Token/);
    expect(task.outcomes).toEqual([{ kind: 'succeeded', output: '{}' }]);
  });

  it('answers {} at the poll deadline when no task came', () => {
    const s = sink();
    broker.poll(arn, undefined, s);
    vi.advanceTimersByTime(999);
    expect(s.answers).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(s.answers).toEqual([undefined]);
    expect(broker.stats()[arn]!.openPolls).toBe(0);
  });

  it('times out on the heartbeat clock unless heartbeats reset it, and on TimeoutSeconds regardless', () => {
    const beating = schedule('hb', { heartbeatSeconds: 2, timeoutSeconds: 5 });
    const s = sink();
    broker.poll(arn, undefined, s);
    const token = s.answers[0]!.taskToken;
    for (let index = 0; index < 3; index += 1) {
      vi.advanceTimersByTime(1500);
      broker.sendTaskHeartbeat(token);
    }
    expect(beating.outcomes).toEqual([]);
    vi.advanceTimersByTime(500);
    expect(beating.outcomes).toEqual([{ kind: 'timedOut', heartbeat: false }]);
    const silent = schedule('quiet', { heartbeatSeconds: 2 });
    broker.poll(arn, undefined, sink());
    vi.advanceTimersByTime(2000);
    expect(silent.outcomes).toEqual([{ kind: 'timedOut', heartbeat: true }]);
    expect(broker.stats()[arn]).toMatchObject({ timedOut: 2, heartbeats: 3 });
  });

  it('starts the clocks at delivery, not at scheduling', () => {
    const task = schedule('late', { timeoutSeconds: 1 });
    vi.advanceTimersByTime(5000);
    expect(task.outcomes).toHaveLength(0);
    broker.poll(arn, undefined, sink());
    vi.advanceTimersByTime(1000);
    expect(task.outcomes).toEqual([{ kind: 'timedOut', heartbeat: false }]);
  });

  it('loses a task handed to a poll whose client went away', () => {
    const gone = sink();
    broker.poll(arn, undefined, gone).clientGone();
    expect(broker.stats()[arn]!.openPolls).toBe(1);
    const task = schedule('lost');
    expect(task.started).toHaveLength(1);
    expect(gone.answers).toHaveLength(0);
    expect(broker.stats()[arn]!.lostTokens).toEqual({ total: 1, droppedByFault: 0, clientGone: 1 });
  });

  it('holds a dropped poll to its deadline and freezes the next stallFollowers polls behind it', () => {
    faults = { ...faults, dropRate: 0.5, stallFollowers: 2 };
    const sinks = [sink(), sink(), sink(), sink()];
    sinks.forEach((s) => broker.poll(arn, undefined, s));
    random = 0.1; // below dropRate: dropped
    schedule('dropped');
    random = 0.99;
    const next = schedule('next');
    // Polls 1 and 2 are frozen; poll 3 still works.
    expect(sinks[3]!.answers[0]?.input).toBe('next');
    expect(next.started).toHaveLength(1);
    schedule('waits');
    expect(broker.stats()[arn]).toMatchObject({ waiting: 1, openPolls: 3 });
    vi.advanceTimersByTime(1000);
    expect(sinks[0]!.dropped).toBe(1);
    expect(sinks[1]!.answers).toEqual([undefined]);
    expect(sinks[2]!.answers).toEqual([undefined]);
    expect(broker.stats()[arn]!.lostTokens.droppedByFault).toBe(1);
  });

  it('freezes polls arriving during a stall while the follower budget lasts', () => {
    faults = { ...faults, dropRate: 1, stallFollowers: 2 };
    const first = sink();
    broker.poll(arn, undefined, first);
    schedule('dropped');
    faults = { ...faults, dropRate: 0 };
    const task = schedule('blocked');
    const arrivals = [sink(), sink(), sink()];
    arrivals.forEach((s) => broker.poll(arn, undefined, s));
    // Two arrivals are frozen; the third gets the task.
    expect(arrivals.map((s) => s.answers.length)).toEqual([0, 0, 1]);
    expect(task.started).toHaveLength(1);
  });

  it('refuses polls past maxPollsPerActivity and on missing activities', () => {
    for (let index = 0; index < 100; index += 1) broker.poll(arn, undefined, sink());
    expect(() => broker.poll(arn, undefined, sink())).toThrow(/maximum number of workers/);
    expect(() => broker.poll(broker.activityArn('nope'), undefined, sink())).toThrow(
      /Activity Does Not Exist/,
    );
    expect(() => broker.poll('bad', undefined, sink())).toThrow(/Invalid ARN prefix: bad/);
  });

  it('counts the polls it refused with ActivityWorkerLimitExceeded and the most open at once', () => {
    for (let index = 0; index < 100; index += 1) broker.poll(arn, undefined, sink());
    expect(() => broker.poll(arn, undefined, sink())).toThrow(/maximum number of workers/);
    expect(() => broker.poll(arn, undefined, sink())).toThrow(/maximum number of workers/);
    vi.advanceTimersByTime(1000);
    broker.poll(arn, undefined, sink());
    expect(broker.stats()[arn]).toMatchObject({ openPolls: 1, workerLimitRefused: 2, openPollsPeak: 100 });
  });

  it('cancel() closes a task silently: no outcome, later reports get TaskTimedOut', () => {
    const queued = schedule('queued');
    queued.handle.cancel();
    expect(broker.stats()[arn]!.waiting).toBe(0);
    const running = schedule('running');
    const s = sink();
    broker.poll(arn, undefined, s);
    running.handle.cancel();
    running.handle.cancel();
    expect(() => broker.sendTaskSuccess(s.answers[0]!.taskToken, '{}')).toThrow(/Task Timed Out/);
    expect(queued.outcomes).toEqual([]);
    expect(running.outcomes).toEqual([]);
  });

  it('answers open polls {} when the activity is deleted, and forgets it', () => {
    const s = sink();
    broker.poll(arn, undefined, s);
    broker.deleteActivity(arn);
    broker.deleteActivity(arn);
    expect(s.answers).toEqual([undefined]);
    expect(broker.hasActivity(arn)).toBe(false);
  });
});
