// One execution of a state machine: walks the states, talks to the task broker through `TaskScheduler`,
// and appends the history AWS would record. Synchronous states run in a loop; Task and Wait park it.

import { describeCause } from '../service-error.js';
import type { ActivityTaskHandle, ActivityTaskOutcome, TaskScheduler } from '../task-scheduler.js';
import { evaluateRule } from './choice-rule.js';
import type { Definition, State, TaskState, Template } from './definition/index.js';
import type { HistoryEvent } from './history.js';
import { NOT_TRUNCATED } from './history.js';
import type { JsonObject, JsonPath, JsonValue, PathLookup } from './json-path.js';
import { readPath, writePath } from './json-path.js';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** What an execution needs from the service that owns it. */
export interface ExecutionHost {
  readonly scheduler: TaskScheduler;
  /** Epoch milliseconds. */
  now(): number;
  /** Called once, when the execution reaches a terminal status. */
  onFinished(execution: Execution): void;
  /** True once the service is closed: no new Wait or Retry timers are set after that. */
  readonly closed: boolean;
  /** Called with an unexpected error (not a StatesError) that failed this execution. */
  onInternalError(execution: Execution, error: unknown): void;
}

export interface ExecutionMachine {
  readonly arn: string;
  readonly name: string;
  readonly roleArn: string;
  readonly definition: Definition;
}

/** AWS caps a history at 25,000 events; past it the execution fails (our choice of error: States.Runtime). */
const MAX_HISTORY_EVENTS = 25_000;

/** A failure raised while running a state, with the error name Retry/Catch and ExecutionFailed see. */
class StatesError extends Error {
  override readonly name = 'StatesError';
  constructor(
    readonly error: string,
    readonly errorCause: string,
  ) {
    super(`${error}: ${errorCause}`);
  }
}

interface TaskFailure {
  error: string | undefined;
  cause: string | undefined;
  timeout: boolean;
  heartbeat: boolean;
}

interface OpenTask {
  state: TaskState;
  rawInput: JsonValue;
  effectiveInput: string;
  /** Retries used so far, per retrier index. */
  attempts: number[];
  handle: ActivityTaskHandle | undefined;
}

type Step = { name: string; input: JsonValue } | undefined;

export class Execution {
  status: ExecutionStatus = 'RUNNING';
  readonly history: HistoryEvent[] = [];
  stopDateMs: number | undefined;
  output: string | undefined;
  error: string | undefined;
  cause: string | undefined;

  /** The state being run, for `$$.State` and for aborting. */
  private current: State | undefined;
  private currentEnteredMs = 0;
  private task: OpenTask | undefined;
  /** Bumped whenever a scheduled task stops being the current one, so late broker callbacks are ignored. */
  private taskSeq = 0;
  private timer: NodeJS.Timeout | undefined;
  private executionTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly host: ExecutionHost,
    readonly machine: ExecutionMachine,
    readonly arn: string,
    readonly name: string,
    /** The input as given to StartExecution (JSON text). */
    readonly input: string,
    readonly startDateMs: number,
  ) {}

  /** Records ExecutionStarted and runs until the first Task or Wait (or the end). */
  start(inputValue: JsonValue): void {
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
    this.run({ name: this.machine.definition.startAt, input: inputValue });
  }

  /** StopExecution: closes the open task without an outcome and records ExecutionAborted. No-op when closed. */
  stop(error: string | undefined, cause: string | undefined): void {
    if (this.status !== 'RUNNING') return;
    this.end('ABORTED', 'ExecutionAborted', 'executionAbortedEventDetails', defined({ error, cause }));
  }

  /** Clears timers (service close); the execution stays as it is. Idempotent. */
  clearTimers(): void {
    clearTimeout(this.timer);
    clearTimeout(this.executionTimer);
    this.timer = undefined;
    this.executionTimer = undefined;
  }

  private run(step: Step): void {
    this.guard(() => {
      while (step !== undefined && this.status === 'RUNNING') step = this.enter(step.name, step.input);
    });
  }

  /**
   * Runs `fn`, turning a StatesError into ExecutionFailed. Any other error (a bug, or data deeper than a walk
   * survives) fails the execution with States.Runtime too: an execution must end, never stay RUNNING with
   * nothing left to move it. Only once it has ended is an error passed on.
   */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (err instanceof StatesError) {
        this.fail(err.error, err.errorCause);
        return;
      }
      if (this.status !== 'RUNNING') throw err;
      this.fail(
        'States.Runtime',
        `An internal error occurred while running the state '${this.current?.name ?? ''}': ${describeCause(err)}`,
      );
      this.host.onInternalError(this, err);
    }
  }

  private enter(name: string, input: JsonValue): Step {
    const state = this.machine.definition.states.get(name);
    // The definition was checked at creation: every transition names a state.
    if (!state) throw new StatesError('States.Runtime', `State '${name}' does not exist`);
    this.current = state;
    this.currentEnteredMs = this.host.now();
    this.record(`${state.type}StateEntered`, 'stateEnteredEventDetails', {
      name,
      input: JSON.stringify(input),
      inputDetails: NOT_TRUNCATED,
    });
    switch (state.type) {
      case 'Pass': {
        const effective = this.selectInput(state.inputPath, input);
        const result =
          state.result !== undefined
            ? state.result
            : state.parameters
              ? this.applyTemplate(state.parameters, effective, 'Parameters')
              : effective;
        return this.exit(
          state,
          this.selectOutput(state.outputPath, this.placeResult(state.resultPath, input, result)),
        );
      }
      case 'Choice': {
        const effective = this.selectInput(state.inputPath, input);
        const read = this.reader(effective);
        const target = state.choices.find((c) => evaluateRule(c.rule, read))?.next ?? state.default;
        if (target === undefined) {
          throw new StatesError(
            'States.NoChoiceMatched',
            `No Choice Rule matched and no default is set in state '${name}'`,
          );
        }
        const output = this.selectOutput(state.outputPath, effective);
        this.recordExited(state, output);
        return { name: target, input: output };
      }
      case 'Wait':
        this.startWait(state, input);
        return undefined;
      case 'Succeed': {
        const output = this.selectOutput(state.outputPath, this.selectInput(state.inputPath, input));
        this.recordExited(state, output);
        this.end('SUCCEEDED', 'ExecutionSucceeded', 'executionSucceededEventDetails', {
          output: JSON.stringify(output),
          outputDetails: NOT_TRUNCATED,
        });
        return undefined;
      }
      case 'Fail':
        this.fail(state.error, state.cause);
        return undefined;
      case 'Task': {
        const effective = this.selectInput(state.inputPath, input);
        const parameters = state.parameters
          ? this.applyTemplate(state.parameters, effective, 'Parameters')
          : effective;
        this.task = {
          state,
          rawInput: input,
          effectiveInput: JSON.stringify(parameters),
          attempts: [],
          handle: undefined,
        };
        this.scheduleTask(this.task);
        return undefined;
      }
    }
  }

  /** Records `<Type>StateExited` and returns the next step, or ends the execution when the state has End. */
  private exit(state: State & { next: string | undefined }, output: JsonValue): Step {
    this.recordExited(state, output);
    if (state.next !== undefined) return { name: state.next, input: output };
    this.end('SUCCEEDED', 'ExecutionSucceeded', 'executionSucceededEventDetails', {
      output: JSON.stringify(output),
      outputDetails: NOT_TRUNCATED,
    });
    return undefined;
  }

  private recordExited(state: State, output: JsonValue): void {
    this.record(`${state.type}StateExited`, 'stateExitedEventDetails', {
      name: state.name,
      output: JSON.stringify(output),
      outputDetails: NOT_TRUNCATED,
    });
  }

  /** The one place Wait and Retry timers are set, so that none is set after the service's close(). */
  private setTimer(fn: () => void, delayMs: number): void {
    if (this.host.closed) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        if (this.status === 'RUNNING') fn();
      },
      Math.max(0, delayMs),
    );
  }

  private startWait(state: State & { type: 'Wait' }, input: JsonValue): void {
    const effective = this.selectInput(state.inputPath, input);
    let delayMs: number;
    const { wait } = state;
    if ('seconds' in wait) {
      delayMs = wait.seconds * 1000;
    } else if ('timestamp' in wait) {
      delayMs = Date.parse(wait.timestamp) - this.host.now();
    } else if ('secondsPath' in wait) {
      const value = this.read(effective, wait.secondsPath, 'SecondsPath');
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
        throw new StatesError(
          'States.Runtime',
          `The SecondsPath parameter does not reference a valid integer: ${wait.secondsPath.text}`,
        );
      }
      delayMs = value * 1000;
    } else {
      const value = this.read(effective, wait.timestampPath, 'TimestampPath');
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
        throw new StatesError(
          'States.Runtime',
          `The TimestampPath parameter does not reference a valid timestamp: ${wait.timestampPath.text}`,
        );
      }
      delayMs = Date.parse(value) - this.host.now();
    }
    this.setTimer(
      () => this.run(this.guarded(() => this.exit(state, this.selectOutput(state.outputPath, effective)))),
      delayMs,
    );
  }

  /** Evaluates `fn` for a step; a StatesError fails the execution and yields no step. */
  private guarded(fn: () => Step): Step {
    let step: Step;
    this.guard(() => {
      step = fn();
    });
    return step;
  }

  private scheduleTask(task: OpenTask): void {
    const { state } = task;
    if (!this.host.scheduler.hasActivity(state.resource)) {
      // AWS fails the execution without ActivityScheduled; States.Runtime is neither retried nor caught.
      throw new StatesError('States.Runtime', `The activity '${state.resource}' does not exist.`);
    }
    this.record(
      'ActivityScheduled',
      'activityScheduledEventDetails',
      defined({
        resource: state.resource,
        input: task.effectiveInput,
        inputDetails: NOT_TRUNCATED,
        timeoutInSeconds: state.timeoutSeconds,
        heartbeatInSeconds: state.heartbeatSeconds,
      }),
    );
    const seq = ++this.taskSeq;
    const isCurrent = () => this.taskSeq === seq && this.status === 'RUNNING';
    const handle = this.host.scheduler.schedule(
      {
        activityArn: state.resource,
        input: task.effectiveInput,
        ...defined({ timeoutSeconds: state.timeoutSeconds, heartbeatSeconds: state.heartbeatSeconds }),
        executionArn: this.arn,
      },
      {
        onStarted: (workerName) => {
          if (!isCurrent()) return;
          this.guard(() =>
            this.record('ActivityStarted', 'activityStartedEventDetails', defined({ workerName })),
          );
        },
        onClosed: (outcome) => {
          if (!isCurrent()) return;
          this.taskSeq++;
          task.handle = undefined;
          this.onTaskClosed(task, outcome);
        },
      },
    );
    // A broker may close the task inside schedule(); only keep the handle while it is open.
    if (isCurrent()) task.handle = handle;
  }

  private onTaskClosed(task: OpenTask, outcome: ActivityTaskOutcome): void {
    const { state } = task;
    switch (outcome.kind) {
      case 'succeeded':
        this.run(
          this.guarded(() => {
            this.record('ActivitySucceeded', 'activitySucceededEventDetails', {
              output: outcome.output,
              outputDetails: NOT_TRUNCATED,
            });
            let result: JsonValue;
            try {
              result = JSON.parse(outcome.output) as JsonValue;
            } catch {
              throw new StatesError('States.Runtime', 'The activity output is not valid JSON');
            }
            if (state.resultSelector)
              result = this.applyTemplate(state.resultSelector, result, 'ResultSelector');
            const output = this.selectOutput(
              state.outputPath,
              this.placeResult(state.resultPath, task.rawInput, result),
            );
            this.task = undefined;
            return this.exit(state, output);
          }),
        );
        return;
      case 'failed':
        this.guard(() => {
          this.record(
            'ActivityFailed',
            'activityFailedEventDetails',
            defined({ error: outcome.error, cause: outcome.cause }),
          );
          this.onTaskError(task, {
            error: outcome.error,
            cause: outcome.cause,
            timeout: false,
            heartbeat: false,
          });
        });
        return;
      case 'timedOut':
        // Both clocks record States.Timeout; only Retry/Catch can tell a heartbeat timeout apart.
        this.guard(() => {
          this.record('ActivityTimedOut', 'activityTimedOutEventDetails', { error: 'States.Timeout' });
          this.onTaskError(task, {
            error: 'States.Timeout',
            cause: undefined,
            timeout: true,
            heartbeat: outcome.heartbeat,
          });
        });
        return;
    }
  }

  /** Retry (first matching retrier decides), then Catch (first matching catcher), else the execution fails. */
  private onTaskError(task: OpenTask, failure: TaskFailure): void {
    const { state } = task;
    const retrierIndex = state.retry.findIndex((r) => errorMatches(r.errorEquals, failure));
    const retrier = state.retry[retrierIndex];
    if (retrier) {
      const used = task.attempts[retrierIndex] ?? 0;
      if (used < retrier.maxAttempts) {
        task.attempts[retrierIndex] = used + 1;
        let delaySeconds = retrier.intervalSeconds * retrier.backoffRate ** used;
        if (retrier.maxDelaySeconds !== undefined)
          delaySeconds = Math.min(delaySeconds, retrier.maxDelaySeconds);
        if (retrier.jitter === 'FULL') delaySeconds *= Math.random();
        this.setTimer(() => {
          if (this.task === task) this.guard(() => this.scheduleTask(task));
        }, delaySeconds * 1000);
        return;
      }
    }
    const catcher = state.catch.find((c) => errorMatches(c.errorEquals, failure));
    if (!catcher) {
      this.fail(failure.error, failure.cause);
      return;
    }
    const errorOutput: JsonObject = defined({ Error: failure.error, Cause: failure.cause });
    const output = this.placeResult(catcher.resultPath, task.rawInput, errorOutput);
    this.task = undefined;
    this.recordExited(state, output);
    this.run({ name: catcher.next, input: output });
  }

  private fail(error: string | undefined, cause: string | undefined): void {
    this.end('FAILED', 'ExecutionFailed', 'executionFailedEventDetails', defined({ error, cause }));
  }

  /** Every way out: records the terminal event, closes the open task or timer, and tells the host once. */
  private end(status: ExecutionStatus, type: string, field: string, details: Record<string, unknown>): void {
    if (this.status !== 'RUNNING') return;
    // A task still open here (a stop, a timeout, or an internal error while it ran) is closed with no outcome.
    this.task?.handle?.cancel();
    if (status === 'ABORTED' || status === 'TIMED_OUT') {
      // *Unconfirmed*: we record TaskStateAborted / WaitStateAborted (event types of the model) before the
      // terminal event when a Task or Wait is cut short, as the console shows for stopped executions.
      if (
        this.current &&
        (this.current.type === 'Task' || this.current.type === 'Wait') &&
        (this.task || this.timer)
      ) {
        this.record(`${this.current.type}StateAborted`, undefined, undefined, true);
      }
    }
    this.taskSeq++;
    this.task = undefined;
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

  private selectInput(path: JsonPath | null, input: JsonValue): JsonValue {
    return path === null ? {} : this.read(input, path, 'InputPath');
  }

  private selectOutput(path: JsonPath | null, output: JsonValue): JsonValue {
    return path === null ? {} : this.read(output, path, 'OutputPath');
  }

  private placeResult(path: JsonPath | null, input: JsonValue, result: JsonValue): JsonValue {
    if (path === null) return input;
    const placed = writePath(input, path, result);
    if (placed === undefined) {
      throw new StatesError(
        'States.ResultPathMatchFailure',
        `Unable to apply ResultPath '${path.text}' to input ${JSON.stringify(input)}`,
      );
    }
    return placed;
  }

  private read(input: JsonValue, path: JsonPath, field: string): JsonValue {
    const found = this.reader(input)(path);
    if (!found.found) {
      throw new StatesError(
        'States.Runtime',
        `An error occurred while executing the state '${this.current?.name ?? ''}'. Invalid path '${path.text}' in ${field}: the path was not found in the input.`,
      );
    }
    return found.value;
  }

  private reader(input: JsonValue): (path: JsonPath) => PathLookup {
    return (path) => readPath(path.context ? this.contextObject() : input, path);
  }

  private applyTemplate(template: Template, input: JsonValue, field: string): JsonValue {
    switch (template.kind) {
      case 'literal':
        return template.value;
      case 'path':
        return this.read(input, template.path, field);
      case 'array':
        return template.items.map((item) => this.applyTemplate(item, input, field));
      case 'object': {
        const out: JsonObject = {};
        for (const [key, value] of template.entries) out[key] = this.applyTemplate(value, input, field);
        return out;
      }
    }
  }

  /** The `$$` context object, built only when a path asks for it. */
  private contextObject(): JsonValue {
    let input: JsonValue;
    try {
      input = JSON.parse(this.input) as JsonValue;
    } catch {
      input = null;
    }
    return {
      Execution: {
        Id: this.arn,
        Name: this.name,
        Input: input,
        RoleArn: this.machine.roleArn,
        StartTime: new Date(this.startDateMs).toISOString(),
      },
      StateMachine: { Id: this.machine.arn, Name: this.machine.name },
      State: {
        Name: this.current?.name ?? '',
        EnteredTime: new Date(this.currentEnteredMs).toISOString(),
        RetryCount: this.task ? this.task.attempts.reduce((a, b) => a + b, 0) : 0,
      },
    };
  }
}

/** ErrorEquals matching: exact names, States.ALL, States.TaskFailed (all but timeouts), the timeout names. */
function errorMatches(names: readonly string[], failure: TaskFailure): boolean {
  return names.some((name) => {
    switch (name) {
      case 'States.ALL':
        return true;
      case 'States.TaskFailed':
        return !failure.timeout;
      case 'States.Timeout':
        return failure.timeout;
      case 'States.HeartbeatTimeout':
        return failure.heartbeat;
      default:
        return failure.error !== undefined && name === failure.error;
    }
  });
}

/** `obj` without its undefined fields (JSON bodies leave them out). */
function defined<T extends Record<string, unknown>>(obj: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  for (const key of Object.keys(obj)) if (obj[key] === undefined) delete obj[key];
  return obj as { [K in keyof T]?: Exclude<T[K], undefined> };
}
