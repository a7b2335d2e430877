// The broker's records: an activity with its queues of polls and tasks, one poll, one task, and the
// counters that outlive an activity. Plain data with no behaviour; the broker moves them (activity-broker.ts).
import { LatencyHistogram } from './latency-histogram.js';
import { LinkedQueue, type QueueNode } from './linked-queue.js';
import type { PollSink } from './activity-broker-types.js';
import type { ActivityTaskListener } from './task-scheduler.js';

export type PollState = 'waiting' | 'frozen' | 'held' | 'done';

export class Poll implements QueueNode<Poll> {
  prev?: Poll | undefined;
  next?: Poll | undefined;
  queued?: boolean;
  state: PollState = 'waiting';
  clientGone = false;
  timer: NodeJS.Timeout | undefined;

  constructor(
    readonly record: ActivityRecord,
    readonly workerName: string | undefined,
    readonly sink: PollSink,
    readonly deadline: number,
  ) {}
}

export type TaskState = 'waiting' | 'started' | 'closed';

export class Task implements QueueNode<Task> {
  prev?: Task | undefined;
  next?: Task | undefined;
  queued?: boolean;
  state: TaskState = 'waiting';
  timeoutTimer: NodeJS.Timeout | undefined;
  heartbeatTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly id: number,
    readonly record: ActivityRecord,
    readonly input: string,
    readonly timeoutSeconds: number | undefined,
    readonly heartbeatSeconds: number | undefined,
    readonly listener: ActivityTaskListener,
    readonly scheduledAt: number,
  ) {}
}

export class Counters {
  scheduled = 0;
  started = 0;
  succeeded = 0;
  failed = 0;
  timedOut = 0;
  heartbeats = 0;
  droppedByFault = 0;
  clientGone = 0;
  workerLimitRefused = 0;
  openPollsPeak = 0;
  readonly wait = new LatencyHistogram();
  /** The live record, or the last one when the activity was deleted. */
  record: ActivityRecord | undefined;
}

export class ActivityRecord {
  readonly polls = new LinkedQueue<Poll>();
  readonly tasks = new LinkedQueue<Task>();
  /** Every poll not yet answered: waiting, frozen behind a drop, or held as dropped. */
  readonly openPolls = new Set<Poll>();
  /** Polls still to freeze as they arrive, while a dropped poll is held. */
  stall: { until: number; remaining: number } | undefined;
  deleted = false;

  constructor(
    readonly arn: string,
    readonly name: string,
    readonly creationDate: number,
    readonly counters: Counters,
  ) {}
}
