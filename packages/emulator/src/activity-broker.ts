// The activity task broker: activities, open polls, queued and started tasks, their
// tokens and clocks. Every operation is O(1) in the number of open polls and tasks.
import { buildArn, parseArn } from './arn.js';
import type {
  ActivityDescription,
  ActivityStats,
  BrokerOptions,
  PollReply,
  PollSink,
} from './activity-broker-types.js';
import { ActivityRecord, Counters, Poll, Task } from './activity-records.js';
import { serviceErrors } from './service-error.js';
import { TaskTokenCodec } from './task-token.js';
import type {
  ActivityTaskHandle,
  ActivityTaskListener,
  ActivityTaskOutcome,
  ActivityTaskRequest,
  TaskScheduler,
} from './task-scheduler.js';

/** Node clamps longer delays to 1 ms, so a longer clock simply never fires here (like the 99,999,999 s default). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export type { ActivityDescription, ActivityStats, BrokerOptions, PollReply, PollSink };

export class ActivityBroker implements TaskScheduler {
  private readonly activities = new Map<string, ActivityRecord>();
  private readonly counters = new Map<string, Counters>();
  private readonly tasks = new Map<number, Task>();
  private readonly tokens = new TaskTokenCodec();
  private readonly now: () => number;
  private readonly random: () => number;
  private nextTaskId = 1;
  private closed = false;

  constructor(private readonly options: BrokerOptions) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  activityArn(name: string): string {
    return buildArn(this.options.region, this.options.accountId, 'activity', name);
  }

  /** Idempotent by name: the same ARN and creation date again. */
  createActivity(name: string): ActivityDescription {
    const arn = this.activityArn(name);
    let record = this.activities.get(arn);
    if (record === undefined) {
      const counters = this.countersFor(arn);
      record = new ActivityRecord(arn, name, this.now(), counters);
      counters.record = record;
      this.activities.set(arn, record);
    }
    return describe(record);
  }

  /**
   * Idempotent. Open polls are answered `{}` at once (our choice: AWS does not document
   * it, and a worker should learn quickly that its activity is gone). Tasks already
   * queued for it never start; new ones see `hasActivity` false.
   */
  deleteActivity(arn: string): void {
    parseArn(arn, 'activity');
    const record = this.activities.get(arn);
    if (record === undefined) return;
    this.activities.delete(arn);
    record.deleted = true;
    record.stall = undefined;
    for (const poll of [...record.openPolls]) this.finishPoll(poll, 'empty');
  }

  describeActivity(arn: string): ActivityDescription {
    parseArn(arn, 'activity');
    const record = this.activities.get(arn);
    if (record === undefined) throw serviceErrors.activityDoesNotExist(arn);
    return describe(record);
  }

  /** All activities, in creation order. */
  listActivities(): ActivityDescription[] {
    return [...this.activities.values()].map(describe);
  }

  hasActivity(activityArn: string): boolean {
    return this.activities.has(activityArn);
  }

  schedule(request: ActivityTaskRequest, listener: ActivityTaskListener): ActivityTaskHandle {
    // The engine checks hasActivity first; a task for a missing activity waits on a
    // detached queue nothing polls, as a task would wait for an activity nobody serves.
    const record = this.activities.get(request.activityArn) ?? this.detachedRecord(request.activityArn);
    const task = new Task(
      this.nextTaskId++,
      record,
      request.input,
      request.timeoutSeconds,
      request.heartbeatSeconds,
      listener,
      this.now(),
    );
    this.tasks.set(task.id, task);
    record.counters.scheduled += 1;
    record.tasks.push(task);
    this.dispatch(record);
    return { cancel: () => this.cancel(task) };
  }

  /**
   * Opens a long poll. Throws InvalidArn, ActivityDoesNotExist or ActivityWorkerLimitExceeded.
   * Returns a function the HTTP layer calls when the client goes away.
   */
  poll(activityArn: string, workerName: string | undefined, sink: PollSink): { clientGone(): void } {
    parseArn(activityArn, 'activity');
    const record = this.activities.get(activityArn);
    if (record === undefined || this.closed) throw serviceErrors.activityDoesNotExist(activityArn);
    if (record.openPolls.size >= this.options.maxPollsPerActivity) {
      record.counters.workerLimitRefused += 1;
      throw serviceErrors.activityWorkerLimitExceeded();
    }
    const now = this.now();
    const poll = new Poll(record, workerName, sink, now + this.options.pollTimeoutMs);
    record.openPolls.add(poll);
    record.counters.openPollsPeak = Math.max(record.counters.openPollsPeak, record.openPolls.size);
    const stall = record.stall;
    if (stall !== undefined && stall.remaining > 0 && now < stall.until) {
      stall.remaining -= 1;
      this.freeze(poll, stall.until);
    } else {
      if (stall !== undefined && (stall.remaining <= 0 || now >= stall.until)) record.stall = undefined;
      record.polls.push(poll);
      poll.timer = setTimeout(() => this.finishPoll(poll, 'empty'), this.options.pollTimeoutMs);
      this.dispatch(record);
    }
    return {
      clientGone: () => {
        // Like AWS, the poll keeps counting as open until its deadline; a task handed to it is lost.
        poll.clientGone = true;
      },
    };
  }

  sendTaskSuccess(token: string, output: string): void {
    const task = this.openTask(token);
    this.closeTask(task, { kind: 'succeeded', output });
  }

  sendTaskFailure(token: string, error: string | undefined, cause: string | undefined): void {
    const task = this.openTask(token);
    const outcome: ActivityTaskOutcome = { kind: 'failed' };
    if (error !== undefined) outcome.error = error;
    if (cause !== undefined) outcome.cause = cause;
    this.closeTask(task, outcome);
  }

  /** Resets only the heartbeat clock (docs/step-functions.md#task-clocks). */
  sendTaskHeartbeat(token: string): void {
    const task = this.openTask(token);
    task.record.counters.heartbeats += 1;
    task.heartbeatTimer?.refresh();
    this.options.onHeartbeat?.({ taskToken: token, activityArn: task.record.arn, at: this.now() });
  }

  stats(): Record<string, ActivityStats> {
    const result: Record<string, ActivityStats> = {};
    for (const [arn, counters] of this.counters) {
      const record = counters.record;
      result[arn] = {
        activityArn: arn,
        openPolls: record?.openPolls.size ?? 0,
        scheduled: counters.scheduled,
        started: counters.started,
        succeeded: counters.succeeded,
        failed: counters.failed,
        timedOut: counters.timedOut,
        heartbeats: counters.heartbeats,
        waiting: record?.tasks.size ?? 0,
        lostTokens: {
          total: counters.droppedByFault + counters.clientGone,
          droppedByFault: counters.droppedByFault,
          clientGone: counters.clientGone,
        },
        workerLimitRefused: counters.workerLimitRefused,
        openPollsPeak: counters.openPollsPeak,
        waitMs: counters.wait.summary(),
      };
    }
    return result;
  }

  /** Tasks scheduled or started and not closed, across activities. */
  get openTaskCount(): number {
    return this.tasks.size;
  }

  /** Answers every open poll (`{}`; held dropped polls are cut) and stops every clock. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const counters of this.counters.values()) {
      const record = counters.record;
      if (record === undefined) continue;
      record.stall = undefined;
      for (const poll of [...record.openPolls])
        this.finishPoll(poll, poll.state === 'held' ? 'drop' : 'empty');
    }
    for (const task of this.tasks.values()) clearTaskTimers(task);
  }

  /** An activity's counters outlive it, so that a re-created activity keeps counting. */
  private countersFor(arn: string): Counters {
    let counters = this.counters.get(arn);
    if (counters === undefined) {
      counters = new Counters();
      this.counters.set(arn, counters);
    }
    return counters;
  }

  private detachedRecord(arn: string): ActivityRecord {
    const counters = this.countersFor(arn);
    if (counters.record === undefined) {
      counters.record = new ActivityRecord(arn, arn.slice(arn.lastIndexOf(':') + 1), this.now(), counters);
      counters.record.deleted = true;
    }
    return counters.record;
  }

  /** Longest-waiting poll gets the oldest task, until one side runs out. */
  private dispatch(record: ActivityRecord): void {
    if (record.deleted || this.closed) return;
    while (record.polls.size > 0 && record.tasks.size > 0) {
      const poll = record.polls.shift()!;
      const task = record.tasks.shift()!;
      this.deliver(poll, task);
    }
  }

  private deliver(poll: Poll, task: Task): void {
    const record = poll.record;
    const now = this.now();
    task.state = 'started';
    record.counters.started += 1;
    record.counters.wait.record(now - task.scheduledAt);
    this.startClocks(task);
    safely(() => task.listener.onStarted(poll.workerName));
    if (task.state !== 'started') {
      // The listener closed the task synchronously (e.g. the execution stopped); the poll stays open.
      record.polls.push(poll);
      return;
    }
    if (poll.clientGone) {
      record.counters.clientGone += 1;
      this.finishPoll(poll, 'silent');
      return;
    }
    const faults = this.options.faults();
    if (faults.dropRate > 0 && this.random() < faults.dropRate) {
      record.counters.droppedByFault += 1;
      this.hold(poll, faults.stallFollowers);
      return;
    }
    this.finishPoll(poll, {
      taskToken: this.tokens.encode(task.id),
      input: task.input,
      lost: () => {
        record.counters.clientGone += 1;
      },
    });
  }

  /** A dropped delivery: hold the poll to its deadline, and freeze the next `followers` polls behind it. */
  private hold(poll: Poll, followers: number): void {
    const record = poll.record;
    poll.state = 'held';
    // The poll's own deadline timer is still running; at the deadline it is cut with no response.
    let remaining = followers;
    while (remaining > 0 && record.polls.size > 0) {
      const follower = record.polls.shift()!;
      clearTimeout(follower.timer);
      this.freeze(follower, poll.deadline);
      remaining -= 1;
    }
    if (remaining > 0) {
      const current = record.stall;
      if (current === undefined || current.until <= this.now() || current.until < poll.deadline) {
        record.stall = { until: poll.deadline, remaining: Math.max(remaining, current?.remaining ?? 0) };
      }
    }
  }

  private freeze(poll: Poll, until: number): void {
    poll.state = 'frozen';
    poll.timer = setTimeout(() => this.finishPoll(poll, 'empty'), Math.max(0, until - this.now()));
  }

  private finishPoll(poll: Poll, how: 'empty' | 'drop' | 'silent' | PollReply): void {
    if (poll.state === 'done') return;
    const wasHeld = poll.state === 'held';
    poll.state = 'done';
    clearTimeout(poll.timer);
    poll.record.polls.remove(poll);
    poll.record.openPolls.delete(poll);
    if (poll.clientGone || how === 'silent') return;
    if (how === 'drop' || wasHeld) poll.sink.drop();
    else if (how === 'empty') poll.sink.answer(undefined);
    else poll.sink.answer(how);
  }

  private startClocks(task: Task): void {
    task.timeoutTimer = this.startClock(task, task.timeoutSeconds, false);
    task.heartbeatTimer = this.startClock(task, task.heartbeatSeconds, true);
  }

  /** A clock that times the task out after `seconds`; none when it could never fire. */
  private startClock(
    task: Task,
    seconds: number | undefined,
    heartbeat: boolean,
  ): NodeJS.Timeout | undefined {
    const ms = secondsToMs(seconds);
    if (ms === undefined) return undefined;
    return setTimeout(() => this.closeTask(task, { kind: 'timedOut', heartbeat }), ms).unref();
  }

  /** The started task behind `token`; InvalidToken when it does not parse, TaskTimedOut when it is closed. */
  private openTask(token: string): Task {
    const id = this.tokens.decode(token);
    if (id === undefined) throw serviceErrors.invalidToken();
    const task = this.tasks.get(id);
    if (task === undefined || task.state !== 'started') throw serviceErrors.taskTimedOut();
    return task;
  }

  private closeTask(task: Task, outcome: ActivityTaskOutcome): void {
    if (task.state === 'closed') return;
    task.state = 'closed';
    clearTaskTimers(task);
    this.tasks.delete(task.id);
    const counters = task.record.counters;
    if (outcome.kind === 'succeeded') counters.succeeded += 1;
    else if (outcome.kind === 'failed') counters.failed += 1;
    else counters.timedOut += 1;
    safely(() => task.listener.onClosed(outcome));
  }

  private cancel(task: Task): void {
    if (task.state === 'closed') return;
    task.state = 'closed';
    clearTaskTimers(task);
    task.record.tasks.remove(task);
    this.tasks.delete(task.id);
  }
}

function describe(record: ActivityRecord): ActivityDescription {
  return { activityArn: record.arn, name: record.name, creationDate: record.creationDate };
}

function secondsToMs(seconds: number | undefined): number | undefined {
  if (seconds === undefined) return undefined;
  const ms = seconds * 1000;
  return ms > MAX_TIMER_MS ? undefined : ms;
}

function clearTaskTimers(task: Task): void {
  clearTimeout(task.timeoutTimer);
  clearTimeout(task.heartbeatTimer);
  task.timeoutTimer = undefined;
  task.heartbeatTimer = undefined;
}

/** A listener's exception must never leave the broker half-way through a delivery. */
function safely(action: () => void): void {
  try {
    action();
  } catch {
    // The engine records its own failures; the broker's bookkeeping must go on.
  }
}
