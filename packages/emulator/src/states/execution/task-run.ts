// An activity Task while it is open: schedules it on the broker, records the Activity* events, and on
// failure applies Retry and Catch (docs/step-functions.md#task-clocks for the clocks the broker keeps).
import type { ActivityTaskHandle, ActivityTaskOutcome } from '../../task-scheduler.js';
import type { TaskState } from '../definition/index.js';
import { NOT_TRUNCATED } from '../history.js';
import type { JsonObject, JsonValue } from '../json-path.js';
import type { DataScope } from './data-flow.js';
import { caughtOutput, stateArguments, stateOutput } from './state-io.js';
import { recover } from './recovery.js';
import type { OpenState, RunScope, ScopeTimer, StateExit } from './run-scope.js';
import type { StateFailure } from './states-error.js';
import { StatesError, defined } from './states-error.js';

export class TaskRun implements OpenState {
  /** Retries used so far, per retrier index. */
  private readonly attempts: number[] = [];
  private handle: ActivityTaskHandle | undefined;
  private retryTimer: ScopeTimer | undefined;
  /** Bumped whenever a scheduled task stops being the current one, so late broker callbacks are ignored. */
  private seq = 0;
  private closed = false;
  private effectiveInput = '';

  constructor(
    private readonly scope: RunScope,
    private readonly data: DataScope,
    private readonly state: TaskState,
    private readonly rawInput: JsonValue,
    private readonly exit: StateExit,
  ) {}

  get retryCount(): number {
    return this.attempts.reduce((a, b) => a + b, 0);
  }

  /** Throws a StatesError when the input cannot be built or the activity is gone. */
  start(): void {
    const { state } = this;
    this.effectiveInput = JSON.stringify(stateArguments(this.data, state, this.rawInput));
    this.schedule();
  }

  abort(record: boolean): void {
    if (this.closed) return;
    this.close();
    // *Unconfirmed*: we record TaskStateAborted (an event type of the model) when a Task is cut short, as
    // the console shows for stopped executions.
    if (record) this.scope.record('TaskStateAborted', undefined, undefined);
  }

  private close(): void {
    this.closed = true;
    this.seq++;
    this.handle?.cancel();
    this.handle = undefined;
    this.retryTimer?.cancel();
    this.retryTimer = undefined;
  }

  private schedule(): void {
    const { state, scope } = this;
    if (!scope.host.scheduler.hasActivity(state.resource)) {
      // AWS fails the execution without ActivityScheduled; States.Runtime is neither retried nor caught.
      throw new StatesError('States.Runtime', `The activity '${state.resource}' does not exist.`);
    }
    scope.record(
      'ActivityScheduled',
      'activityScheduledEventDetails',
      defined({
        resource: state.resource,
        input: this.effectiveInput,
        inputDetails: NOT_TRUNCATED,
        timeoutInSeconds: state.timeoutSeconds,
        heartbeatInSeconds: state.heartbeatSeconds,
      }),
    );
    const seq = ++this.seq;
    const isCurrent = () => this.seq === seq && !this.closed && scope.running();
    const handle = scope.host.scheduler.schedule(
      {
        activityArn: state.resource,
        input: this.effectiveInput,
        ...defined({ timeoutSeconds: state.timeoutSeconds, heartbeatSeconds: state.heartbeatSeconds }),
        executionArn: scope.executionArn,
      },
      {
        onStarted: (workerName) => {
          if (!isCurrent()) return;
          this.exit.guard(() =>
            scope.record('ActivityStarted', 'activityStartedEventDetails', defined({ workerName })),
          );
        },
        onClosed: (outcome) => {
          if (!isCurrent()) return;
          this.seq++;
          this.handle = undefined;
          this.onClosed(outcome);
        },
      },
    );
    // A broker may close the task inside schedule(); only keep the handle while it is open.
    if (isCurrent()) this.handle = handle;
  }

  private onClosed(outcome: ActivityTaskOutcome): void {
    const { state, scope } = this;
    this.exit.guard(() => {
      switch (outcome.kind) {
        case 'succeeded': {
          scope.record('ActivitySucceeded', 'activitySucceededEventDetails', {
            output: outcome.output,
            outputDetails: NOT_TRUNCATED,
          });
          let result: JsonValue;
          try {
            result = JSON.parse(outcome.output) as JsonValue;
          } catch {
            throw new StatesError('States.Runtime', 'The activity output is not valid JSON');
          }
          const output = stateOutput(this.data, state, this.rawInput, result);
          this.closed = true;
          this.exit.succeeded(output);
          return;
        }
        case 'failed':
          scope.record(
            'ActivityFailed',
            'activityFailedEventDetails',
            defined({ error: outcome.error, cause: outcome.cause }),
          );
          this.onError({ error: outcome.error, cause: outcome.cause, timeout: false, heartbeat: false });
          return;
        case 'timedOut':
          // Both clocks record States.Timeout; only Retry/Catch can tell a heartbeat timeout apart.
          scope.record('ActivityTimedOut', 'activityTimedOutEventDetails', { error: 'States.Timeout' });
          this.onError({
            error: 'States.Timeout',
            cause: undefined,
            timeout: true,
            heartbeat: outcome.heartbeat,
          });
          return;
      }
    });
  }

  private onError(failure: StateFailure): void {
    const { state } = this;
    const next = recover(state.retry, state.catch, failure, this.attempts);
    switch (next.kind) {
      case 'retry':
        this.retryTimer = this.scope.setTimer(() => {
          this.retryTimer = undefined;
          if (!this.closed) this.exit.guard(() => this.schedule());
        }, next.delayMs);
        return;
      case 'catch': {
        const errorOutput: JsonObject = defined({ Error: failure.error, Cause: failure.cause });
        this.closed = true;
        const output = caughtOutput(this.data, state, next.catcher, this.rawInput, errorOutput);
        this.exit.caught(next.catcher.next, output);
        return;
      }
      case 'fail':
        this.closed = true;
        this.exit.failed(failure.error, failure.cause);
        return;
    }
  }
}
