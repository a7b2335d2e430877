// One execution of a state machine: its history, its status and its end. The states themselves run in a
// BranchRun (branch-run.ts), which talks to the task broker through the host's TaskScheduler.
import { describeCause } from '../../service-error.js';
import type { Definition } from '../definition/index.js';
import type { HistoryEvent } from '../history.js';
import { NOT_TRUNCATED } from '../history.js';
import type { JsonValue } from '../json-path.js';
import { BranchRun } from './branch-run.js';
import type { ContextFrame, RunScope, ScopeTimer, ServiceClock } from './run-scope.js';
import { StatesError, defined } from './states-error.js';

/** What an execution needs from the service that owns it. */
export interface ExecutionHost extends ServiceClock {
  /** Called once, when the execution reaches a terminal status. */
  onFinished(execution: Execution): void;
  /** Called with an unexpected error (not a StatesError) that failed this execution. */
  onInternalError(execution: Execution, error: unknown): void;
}
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionMachine {
  readonly arn: string;
  readonly name: string;
  readonly roleArn: string;
  readonly definition: Definition;
}

/** AWS caps a history at 25,000 events; past it the execution fails (our choice of error: States.Runtime). */
const MAX_HISTORY_EVENTS = 25_000;

export class Execution {
  status: ExecutionStatus = 'RUNNING';
  readonly history: HistoryEvent[] = [];
  stopDateMs: number | undefined;
  output: string | undefined;
  error: string | undefined;
  cause: string | undefined;

  private readonly root: BranchRun;
  /** Wait and Retry timers of every branch, so that clearTimers() reaches them all. */
  private readonly timers = new Set<NodeJS.Timeout>();
  private executionTimer: NodeJS.Timeout | undefined;
  private parsedInput: JsonValue | undefined;

  constructor(
    private readonly host: ExecutionHost,
    readonly machine: ExecutionMachine,
    readonly arn: string,
    readonly name: string,
    /** The input as given to StartExecution (JSON text). */
    readonly input: string,
    readonly startDateMs: number,
  ) {
    const scope: RunScope = {
      host,
      executionArn: arn,
      running: () => this.status === 'RUNNING',
      record: (type, field, details) => this.record(type, field, details),
      contextObject: (frame) => this.contextObject(frame),
      setTimer: (fn, delayMs) => this.setTimer(fn, delayMs),
      failExecution: (error, cause) => this.fail(error, cause),
      internalError: (error, stateName) => {
        this.fail(
          'States.Runtime',
          `An internal error occurred while running the state '${stateName}': ${describeCause(error)}`,
        );
        this.host.onInternalError(this, error);
      },
    };
    this.root = new BranchRun(scope, machine.definition, {
      succeeded: (output) =>
        this.end('SUCCEEDED', 'ExecutionSucceeded', 'executionSucceededEventDetails', {
          output: JSON.stringify(output),
          outputDetails: NOT_TRUNCATED,
        }),
      failed: (error, cause) => this.fail(error, cause),
    });
  }

  /** Records ExecutionStarted and runs until the first Task or Wait (or the end). */
  start(inputValue: JsonValue): void {
    this.parsedInput = inputValue;
    this.record('ExecutionStarted', 'executionStartedEventDetails', {
      input: this.input,
      inputDetails: NOT_TRUNCATED,
      roleArn: this.machine.roleArn,
    });
    const timeoutSeconds = this.machine.definition.timeoutSeconds;
    if (timeoutSeconds !== undefined && !this.host.closed) {
      this.executionTimer = setTimeout(() => {
        this.executionTimer = undefined;
        this.end('TIMED_OUT', 'ExecutionTimedOut', 'executionTimedOutEventDetails', {
          error: 'States.Timeout',
          cause: `The execution exceeded its TimeoutSeconds (${timeoutSeconds} s).`,
        });
      }, timeoutSeconds * 1000);
    }
    this.root.start(inputValue);
  }

  /** StopExecution: closes the open task without an outcome and records ExecutionAborted. No-op when closed. */
  stop(error: string | undefined, cause: string | undefined): void {
    if (this.status !== 'RUNNING') return;
    this.end('ABORTED', 'ExecutionAborted', 'executionAbortedEventDetails', defined({ error, cause }));
  }

  /** Clears timers (service close); the execution stays as it is. Idempotent. */
  clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    clearTimeout(this.executionTimer);
    this.executionTimer = undefined;
  }

  /** The one place Wait and Retry timers are set, so that none is set after the service's close(). */
  private setTimer(fn: () => void, delayMs: number): ScopeTimer | undefined {
    if (this.host.closed) return undefined;
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        if (this.status === 'RUNNING') fn();
      },
      Math.max(0, delayMs),
    );
    this.timers.add(timer);
    return {
      cancel: () => {
        clearTimeout(timer);
        this.timers.delete(timer);
      },
    };
  }

  private fail(error: string | undefined, cause: string | undefined): void {
    this.end('FAILED', 'ExecutionFailed', 'executionFailedEventDetails', defined({ error, cause }));
  }

  /** Every way out: records the terminal event, closes what is open, and tells the host once. */
  private end(status: ExecutionStatus, type: string, field: string, details: Record<string, unknown>): void {
    if (this.status !== 'RUNNING') return;
    // Whatever is still open here (a stop, a timeout, or an internal error while it ran) closes with no
    // outcome; a stop or a timeout records the `…StateAborted` events before the terminal one.
    try {
      this.root.abort(status === 'ABORTED' || status === 'TIMED_OUT');
    } catch (err) {
      // Only the history limit throws here; the terminal event below is recorded regardless.
      if (!(err instanceof StatesError)) throw err;
    }
    this.status = status;
    this.stopDateMs = this.host.now();
    if ('output' in details) this.output = details['output'] as string;
    if (status !== 'SUCCEEDED') {
      this.error = details['error'] as string | undefined;
      this.cause = details['cause'] as string | undefined;
    }
    this.record(type, field, details, true);
    this.clearTimers();
    this.host.onFinished(this);
  }

  private record(
    type: string,
    field: string | undefined,
    details: object | undefined,
    terminal = false,
  ): void {
    if (!terminal && this.history.length >= MAX_HISTORY_EVENTS - 1) {
      throw new StatesError(
        'States.Runtime',
        `The execution reached the limit of ${MAX_HISTORY_EVENTS} history events.`,
      );
    }
    const id = this.history.length + 1;
    const event: HistoryEvent = { timestamp: this.host.now() / 1000, type, id, previousEventId: id - 1 };
    if (field !== undefined) event[field] = details;
    this.history.push(event);
  }

  /** The `$$` context object (docs: "Accessing execution data from the Context object"). */
  private contextObject(frame: ContextFrame): JsonValue {
    const context: Record<string, JsonValue> = {
      Execution: {
        Id: this.arn,
        Name: this.name,
        Input: this.parsedInput ?? null,
        RoleArn: this.machine.roleArn,
        StartTime: new Date(this.startDateMs).toISOString(),
      },
      StateMachine: { Id: this.machine.arn, Name: this.machine.name },
      State: {
        Name: frame.stateName,
        EnteredTime: new Date(frame.enteredMs).toISOString(),
        RetryCount: frame.retryCount,
      },
    };
    if (frame.mapItem) context['Map'] = { Item: { Index: frame.mapItem.index, Value: frame.mapItem.value } };
    return context;
  }
}
