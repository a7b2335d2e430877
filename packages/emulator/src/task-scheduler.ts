// The seam between the execution engine (state machines, src/states/) and the
// activity task broker (polls, tokens, clocks). The engine schedules a task and
// hears back once, when it closes; the broker owns tokens, polls and timeouts.

/** What the engine asks for when an execution enters a Task state whose Resource is an activity. */
export interface ActivityTaskRequest {
  activityArn: string;
  /** The effective input, a JSON text. */
  input: string;
  /** Task state `TimeoutSeconds`, counted from ActivityStarted. */
  timeoutSeconds?: number;
  /** Task state `HeartbeatSeconds`, counted from ActivityStarted and reset by each heartbeat. */
  heartbeatSeconds?: number;
  /** The execution the task belongs to, for stats and logs; absent for tasks scheduled directly by tests. */
  executionArn?: string;
}

/** How a task closed. Exactly one of these reaches the listener, once. */
export type ActivityTaskOutcome =
  | { kind: 'succeeded'; output: string }
  | { kind: 'failed'; error?: string; cause?: string }
  /** `heartbeat` is true when HeartbeatSeconds ran out rather than TimeoutSeconds. */
  | { kind: 'timedOut'; heartbeat: boolean };

/** Called by the broker; the engine records history events from these. */
export interface ActivityTaskListener {
  /** A poll received the token (`ActivityStarted`); `workerName` as the poll sent it. */
  onStarted(workerName: string | undefined): void;
  /** The task closed; not called after `cancel()`. */
  onClosed(outcome: ActivityTaskOutcome): void;
}

export interface ActivityTaskHandle {
  /** Closes the task without an outcome (execution stopped); later Send* calls get TaskTimedOut. Idempotent. */
  cancel(): void;
}

export interface TaskScheduler {
  /** True when the activity exists now. */
  hasActivity(activityArn: string): boolean;
  /** Queues a task for the activity; it goes to the longest-waiting poll, first scheduled first served. */
  schedule(request: ActivityTaskRequest, listener: ActivityTaskListener): ActivityTaskHandle;
}
