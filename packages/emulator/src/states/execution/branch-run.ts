// One graph of states running: the whole execution, a Map iteration or a Parallel branch. Synchronous states
// (Pass, Choice, Succeed, Fail) run in a loop; Task, Wait, Map and Parallel park it until they exit.
import { evaluateRule } from '../choice-rule.js';
import type { State, StateGraph } from '../definition/index.js';
import type { JsonataValue } from '../jsonata/jsonata-value.js';
import { NOT_TRUNCATED } from '../history.js';
import type { JsonValue } from '../json-path.js';
import type { DataScope } from './data-flow.js';
import { read, reader, selectInput } from './data-flow.js';
import { VariableScope } from '../jsonata/variable-scope.js';
import { evaluate, stateArguments, stateOutput } from './state-io.js';
import type {
  BranchParent,
  ChildBranch,
  ContextFrame,
  OpenState,
  RunScope,
  ScopeTimer,
  StateExit,
} from './run-scope.js';
import { StatesError } from './states-error.js';
import { FanOutRun } from './fan-out-run.js';
import { TaskRun } from './task-run.js';

type Step = { name: string; input: JsonValue } | undefined;

export class BranchRun implements ChildBranch {
  /** The state being run, for `$$.State` and for aborting. */
  private current: State | undefined;
  private enteredMs = 0;
  private open: OpenState | undefined;
  private waitTimer: ScopeTimer | undefined;
  private done = false;
  private readonly data: DataScope;

  constructor(
    private readonly scope: RunScope,
    private readonly graph: StateGraph,
    private readonly parent: BranchParent,
    /** For `$$.Map.Item` inside an iteration. */
    private readonly mapItem?: ContextFrame['mapItem'],
    /** A Map iteration or Parallel branch gets a child of its parent's scope. */
    variables: VariableScope = new VariableScope(),
  ) {
    this.data = {
      stateName: () => this.current?.name ?? '',
      contextObject: () => this.scope.contextObject(this.frame()),
      variables,
    };
  }

  start(input: JsonValue): void {
    this.run({ name: this.graph.startAt, input });
  }

  /** Closes whatever is open with no outcome; records `<Type>StateAborted` when `record` is set. Idempotent. */
  abort(record: boolean): void {
    if (this.done) return;
    this.done = true;
    if (this.waitTimer) {
      this.waitTimer.cancel();
      this.waitTimer = undefined;
      if (record) this.scope.record('WaitStateAborted', undefined, undefined);
    }
    const open = this.open;
    this.open = undefined;
    open?.abort(record);
  }

  private get active(): boolean {
    return !this.done && this.scope.running();
  }

  private frame(): ContextFrame {
    return {
      stateName: this.current?.name ?? '',
      enteredMs: this.enteredMs,
      retryCount: this.open?.retryCount ?? 0,
      mapItem: this.mapItem,
    };
  }

  private run(step: Step): void {
    this.guard(() => {
      while (step !== undefined && this.active) step = this.enter(step.name, step.input);
    });
  }

  /**
   * Runs `fn`, turning a StatesError into the branch's failure. Any other error (a bug, or data deeper than
   * a walk survives) fails the execution with States.Runtime: an execution must end, never stay RUNNING
   * with nothing left to move it. Only once it has ended is an error passed on.
   */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (err instanceof StatesError) {
        this.fail(err.error, err.errorCause);
        return;
      }
      if (!this.scope.running()) throw err;
      this.scope.internalError(err, this.current?.name ?? '');
    }
  }

  private fail(error: string | undefined, cause: string | undefined): void {
    if (!this.active) return;
    this.abort(false);
    // States.Runtime is neither retried nor caught: it ends the execution from however deep it came.
    if (error === 'States.Runtime') this.scope.failExecution(error, cause);
    else this.parent.failed(error, cause);
  }

  private enter(name: string, input: JsonValue): Step {
    const state = this.graph.states.get(name);
    // The definition was checked at creation: every transition names a state.
    if (!state) throw new StatesError('States.Runtime', `State '${name}' does not exist`);
    this.current = state;
    this.open = undefined;
    this.enteredMs = this.scope.host.now();
    this.scope.record(`${state.type}StateEntered`, 'stateEnteredEventDetails', {
      name,
      input: JSON.stringify(input),
      inputDetails: NOT_TRUNCATED,
    });
    const data = this.data;
    switch (state.type) {
      case 'Pass': {
        const result = state.result !== undefined ? state.result : stateArguments(data, state, input);
        return this.exit(state, stateOutput(data, state, input, result));
      }
      case 'Choice': {
        const effective = selectInput(data, state.inputPath, input);
        const condition = (value: JsonataValue): boolean => {
          const out = evaluate(data, value, { input }, 'Condition');
          if (typeof out !== 'boolean') {
            throw new StatesError(
              'States.QueryEvaluationError',
              `The Condition of a Choice rule in state '${name}' must evaluate to a boolean, got ${JSON.stringify(out)}`,
            );
          }
          return out;
        };
        const chosen = state.choices.find((c) => evaluateRule(c.rule, reader(data, effective), condition));
        const target = chosen?.next ?? state.default;
        if (target === undefined) {
          throw new StatesError(
            'States.NoChoiceMatched',
            `No Choice Rule matched and no default is set in state '${name}'`,
          );
        }
        // *Unconfirmed*: the matched rule's own Output and Assign take the place of the state's.
        const query = chosen
          ? {
              ...state.query,
              output: chosen.output ?? state.query.output,
              assign: chosen.assign ?? state.query.assign,
            }
          : state.query;
        const output = stateOutput(data, { ...state, query }, input, effective);
        this.recordExited(state, output);
        return { name: target, input: output };
      }
      case 'Wait':
        this.startWait(state, input);
        return undefined;
      case 'Succeed': {
        const output = stateOutput(data, state, input, selectInput(data, state.inputPath, input));
        this.recordExited(state, output);
        this.succeed(output);
        return undefined;
      }
      case 'Fail':
        this.fail(
          failField(data, state.errorJsonata, input, 'Error') ?? state.error,
          failField(data, state.causeJsonata, input, 'Cause') ?? state.cause,
        );
        return undefined;
      case 'Task': {
        const task = new TaskRun(this.scope, data, state, input, this.exitFor(state));
        this.open = task;
        task.start();
        return undefined;
      }
      case 'Map':
      case 'Parallel': {
        const run = new FanOutRun(
          this.scope,
          data,
          () => this.frame(),
          state,
          input,
          this.exitFor(state),
          (graph, parent) => new BranchRun(this.scope, graph, parent, undefined, data.variables.child()),
        );
        this.open = run;
        run.start();
        return undefined;
      }
    }
  }

  /** The StateExit an open state uses; it does nothing once that state is no longer the current one. */
  private exitFor(state: State & { next?: string | undefined }): StateExit {
    const isCurrent = () => this.current === state && this.active;
    return {
      succeeded: (output) => {
        if (!isCurrent()) return;
        this.open = undefined;
        this.run(this.guarded(() => this.exit(state, output)));
      },
      caught: (next, output) => {
        if (!isCurrent()) return;
        this.open = undefined;
        this.guard(() => this.recordExited(state, output));
        this.run({ name: next, input: output });
      },
      failed: (error, cause) => {
        if (!isCurrent()) return;
        this.open = undefined;
        this.fail(error, cause);
      },
      guard: (fn) => this.guard(fn),
    };
  }

  /** Records `<Type>StateExited` and returns the next step, or ends the branch when the state has End. */
  private exit(state: State & { next?: string | undefined }, output: JsonValue): Step {
    this.recordExited(state, output);
    if (state.next !== undefined) return { name: state.next, input: output };
    this.succeed(output);
    return undefined;
  }

  private succeed(output: JsonValue): void {
    this.done = true;
    this.parent.succeeded(output);
  }

  private recordExited(state: State, output: JsonValue): void {
    this.scope.record(`${state.type}StateExited`, 'stateExitedEventDetails', {
      name: state.name,
      output: JSON.stringify(output),
      outputDetails: NOT_TRUNCATED,
    });
  }

  private startWait(state: State & { type: 'Wait' }, input: JsonValue): void {
    const data = this.data;
    const effective = selectInput(data, state.inputPath, input);
    let delayMs: number;
    const { wait } = state;
    if ('seconds' in wait) {
      delayMs = wait.seconds * 1000;
    } else if ('timestamp' in wait) {
      delayMs = Date.parse(wait.timestamp) - this.scope.host.now();
    } else if ('secondsJsonata' in wait) {
      delayMs = waitSeconds(evaluate(data, wait.secondsJsonata, { input }, 'Seconds'), 'Seconds') * 1000;
    } else if ('timestampJsonata' in wait) {
      const value = evaluate(data, wait.timestampJsonata, { input }, 'Timestamp');
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
        throw new StatesError(
          'States.QueryEvaluationError',
          `The field 'Timestamp' must evaluate to a timestamp, got ${JSON.stringify(value)}`,
        );
      }
      delayMs = Date.parse(value) - this.scope.host.now();
    } else if ('secondsPath' in wait) {
      const value = read(data, effective, wait.secondsPath, 'SecondsPath');
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
        throw new StatesError(
          'States.Runtime',
          `The SecondsPath parameter does not reference a valid integer: ${wait.secondsPath.text}`,
        );
      }
      delayMs = value * 1000;
    } else {
      const value = read(data, effective, wait.timestampPath, 'TimestampPath');
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
        throw new StatesError(
          'States.Runtime',
          `The TimestampPath parameter does not reference a valid timestamp: ${wait.timestampPath.text}`,
        );
      }
      delayMs = Date.parse(value) - this.scope.host.now();
    }
    this.waitTimer = this.scope.setTimer(() => {
      this.waitTimer = undefined;
      if (!this.active) return;
      this.run(this.guarded(() => this.exit(state, stateOutput(data, state, input, effective))));
    }, delayMs);
  }

  /** Evaluates `fn` for a step; a StatesError fails the branch and yields no step. */
  private guarded(fn: () => Step): Step {
    let step: Step;
    this.guard(() => {
      step = fn();
    });
    return step;
  }
}

/** A JSONata Fail state's Error or Cause: an expression there must give a string. */
function failField(
  data: DataScope,
  value: JsonataValue | undefined,
  input: JsonValue,
  field: string,
): string | undefined {
  if (value === undefined) return undefined;
  const out = evaluate(data, value, { input }, field);
  if (typeof out !== 'string') {
    throw new StatesError(
      'States.QueryEvaluationError',
      `The field '${field}' of a Fail state must evaluate to a string, got ${JSON.stringify(out)}`,
    );
  }
  return out;
}

/** A JSONata Wait's Seconds: a non-negative integer, else States.QueryEvaluationError. */
function waitSeconds(value: JsonValue, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new StatesError(
      'States.QueryEvaluationError',
      `The field '${field}' must evaluate to a non-negative integer, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}
