// What the broker offers its callers: the poll's HTTP seam (PollSink, PollReply), its options and the
// stats and descriptions it answers with.
import type { EmulatorFaults } from './faults.js';

/** What a poll's HTTP exchange can do; the broker decides which and when. */
export interface PollSink {
  /**
   * Answer the poll: with a task, or `{}` when `reply` is undefined. When the reply cannot
   * be written after all (the client left meanwhile), the sink calls `reply.lost()`.
   */
  answer(reply: PollReply | undefined): void;
  /** End the exchange with no response at all (a dropped delivery). */
  drop(): void;
}

export interface PollReply {
  taskToken: string;
  input: string;
  /** Counts the token as lost (client gone): it was started and will never be answered. */
  readonly lost: () => void;
}

export interface ActivityStats {
  activityArn: string;
  openPolls: number;
  scheduled: number;
  started: number;
  succeeded: number;
  failed: number;
  timedOut: number;
  heartbeats: number;
  /** Scheduled, not yet started. */
  waiting: number;
  lostTokens: { total: number; droppedByFault: number; clientGone: number };
  /** Polls refused with ActivityWorkerLimitExceeded (open polls were at `maxPollsPerActivity`). */
  workerLimitRefused: number;
  /** The most polls open at once on the activity since it was created. */
  openPollsPeak: number;
  /** Time from scheduled to started, in ms. */
  waitMs: { count: number; p50: number; p99: number; max: number };
}

export interface ActivityDescription {
  activityArn: string;
  name: string;
  /** Epoch milliseconds. */
  creationDate: number;
}

export interface BrokerOptions {
  region: string;
  accountId: string;
  pollTimeoutMs: number;
  maxPollsPerActivity: number;
  /** Read at each delivery, so faults changed at run time apply at once. */
  faults: () => EmulatorFaults;
  now?: () => number;
  random?: () => number;
  /** Told of each accepted SendTaskHeartbeat (for counts per token); not called for a closed task. */
  onHeartbeat?: (heartbeat: { taskToken: string; activityArn: string; at: number }) => void;
}
