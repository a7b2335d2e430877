// Map (inline) and Parallel while they run: children (iterations or branches) as BranchRuns, at most
// MaxConcurrency at a time, results in child order; a failed child fails the state and aborts the others
// (unless a Map tolerates it); Retry re-runs the whole state, Catch catches it, like a Task.
import type { MapState, ParallelState, StateGraph } from '../definition/index.js';
import type { JsonObject, JsonValue } from '../json-path.js';
import type { DataScope } from './data-flow.js';
import { applyTemplate, read, selectInput } from './data-flow.js';
import { caughtOutput, evaluate, isJsonata, stateArguments, stateOutput } from './state-io.js';
import { recover } from './recovery.js';
import type {
  BranchParent,
  ChildBranch,
  ContextFrame,
  OpenState,
  RunScope,
  ScopeTimer,
  StateExit,
} from './run-scope.js';
import { StatesError, defined } from './states-error.js';

interface Child {
  readonly graph: StateGraph;
  /** Built when the child starts (a Map's ItemSelector runs per item, with `$$.Map.Item` set). */
  input(): JsonValue;
}

/** One attempt of the state: a Retry starts a new one, and callbacks of an older one are ignored. */
interface Attempt {
  readonly children: readonly Child[];
  readonly running: Map<number, ChildBranch>;
  readonly results: JsonValue[];
  nextIndex: number;
  completed: number;
  failures: number;
}

export class FanOutRun implements OpenState {
  private readonly attempts: number[] = [];
  private attempt: Attempt | undefined;
  private retryTimer: ScopeTimer | undefined;
  private closed = false;
  private pumping = false;

  constructor(
    private readonly scope: RunScope,
    private readonly data: DataScope,
    /** The branch's `$$` frame for this state, to which a Map adds `Map.Item`. */
    private readonly frame: () => ContextFrame,
    private readonly state: MapState | ParallelState,
    private readonly rawInput: JsonValue,
    private readonly exit: StateExit,
    /** Makes a child branch (branch-run.ts passes itself in, so that the two files do not import each other). */
    private readonly branch: (graph: StateGraph, parent: BranchParent) => ChildBranch,
  ) {}

  get retryCount(): number {
    return this.attempts.reduce((a, b) => a + b, 0);
  }

  /** Throws a StatesError when the items or the branch input cannot be built. */
  start(): void {
    const effective = selectInput(this.data, this.state.inputPath, this.rawInput);
    const children = this.children(effective);
    this.scope.record(
      `${this.state.type}StateStarted`,
      this.state.type === 'Map' ? 'mapStateStartedEventDetails' : undefined,
      this.state.type === 'Map' ? { length: children.length } : undefined,
    );
    this.attempt = { children, running: new Map(), results: [], nextIndex: 0, completed: 0, failures: 0 };
    if (children.length === 0) {
      this.succeed(this.attempt);
      return;
    }
    this.pump(this.attempt);
  }

  abort(record: boolean): void {
    if (this.closed) return;
    this.closed = true;
    this.retryTimer?.cancel();
    this.retryTimer = undefined;
    const attempt = this.attempt;
    this.attempt = undefined;
    if (attempt) this.abortChildren(attempt, record);
    if (record) this.scope.record(`${this.state.type}StateAborted`, undefined, undefined);
  }

  private children(effective: JsonValue): Child[] {
    const { state } = this;
    if (state.type === 'Parallel') {
      const input = stateArguments(this.data, state, this.rawInput);
      return state.branches.map((graph) => ({ graph, input: () => input }));
    }
    if (isJsonata(state)) return this.jsonataItems(state, effective);
    const items = read(this.data, effective, state.itemsPath, 'ItemsPath');
    if (!Array.isArray(items)) {
      throw new StatesError(
        'States.Runtime',
        `An error occurred while executing the state '${state.name}'. The ItemsPath '${state.itemsPath.text}' must point to a JSON array, got ${JSON.stringify(items)?.slice(0, 200)}.`,
      );
    }
    const selector = state.itemSelector;
    return items.map((value, index) => ({
      graph: state.processor,
      input: () => {
        if (!selector) return value;
        return applyTemplate(this.itemScope(index, value), selector, effective, 'ItemSelector');
      },
    }));
  }

  /** Items (the state input when absent) and ItemSelector of a JSONata Map. */
  private jsonataItems(state: MapState, input: JsonValue): Child[] {
    const items = state.items ? evaluate(this.data, state.items, { input }, 'Items') : input;
    if (!Array.isArray(items)) {
      throw new StatesError(
        'States.QueryEvaluationError',
        `An error occurred while executing the state '${state.name}'. The Items field must evaluate to a JSON array, got ${JSON.stringify(items)?.slice(0, 200)}.`,
      );
    }
    const selector = state.itemSelectorJsonata;
    return items.map((value, index) => ({
      graph: state.processor,
      input: () =>
        selector ? evaluate(this.itemScope(index, value), selector, { input }, 'ItemSelector') : value,
    }));
  }

  /** The state's data scope with `$$.Map.Item` set, for an ItemSelector. */
  private itemScope(index: number, value: JsonValue): DataScope {
    return {
      stateName: () => this.data.stateName(),
      contextObject: () => this.scope.contextObject({ ...this.frame(), mapItem: { index, value } }),
      variables: this.data.variables,
    };
  }

  private limit(attempt: Attempt): number {
    const max = this.state.type === 'Map' ? this.state.maxConcurrency : 0;
    return max === 0 ? attempt.children.length : max;
  }

  private isLive(attempt: Attempt): boolean {
    return this.attempt === attempt && !this.closed && this.scope.running();
  }

  /**
   * Starts children while there is room. A loop guarded by `pumping`, not recursion: a child that ends at
   * once (a Pass-only iterator) calls back here, and 10,000 of those must not nest 10,000 frames deep.
   */
  private pump(attempt: Attempt): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      const limit = this.limit(attempt);
      while (
        this.isLive(attempt) &&
        attempt.running.size < limit &&
        attempt.nextIndex < attempt.children.length
      ) {
        this.launch(attempt, attempt.nextIndex++);
      }
    } finally {
      this.pumping = false;
    }
    if (this.isLive(attempt) && attempt.completed === attempt.children.length) this.succeed(attempt);
  }

  private launch(attempt: Attempt, index: number): void {
    const child = attempt.children[index]!;
    const isMap = this.state.type === 'Map';
    const name = this.state.name;
    if (isMap) this.scope.record('MapIterationStarted', 'mapIterationStartedEventDetails', { name, index });
    const input = child.input();
    const branch = this.branch(child.graph, {
      succeeded: (output) => {
        if (!this.isLive(attempt)) return;
        attempt.running.delete(index);
        this.exit.guard(() => {
          if (isMap)
            this.scope.record('MapIterationSucceeded', 'mapIterationSucceededEventDetails', { name, index });
          attempt.results[index] = output;
          attempt.completed += 1;
          this.pump(attempt);
        });
      },
      failed: (error, cause) => {
        if (!this.isLive(attempt)) return;
        attempt.running.delete(index);
        this.exit.guard(() => this.onChildFailed(attempt, index, error, cause));
      },
    });
    attempt.running.set(index, branch);
    branch.start(input);
  }

  private onChildFailed(
    attempt: Attempt,
    index: number,
    error: string | undefined,
    cause: string | undefined,
  ): void {
    const { state } = this;
    attempt.failures += 1;
    if (state.type === 'Map') {
      this.scope.record('MapIterationFailed', 'mapIterationFailedEventDetails', { name: state.name, index });
      if (this.tolerates(state, attempt)) {
        // *Unconfirmed* for inline mode: a tolerated failed item keeps its place in the result, as its error
        // output (what a Catch would pass on).
        attempt.results[index] = defined({ Error: error, Cause: cause });
        attempt.completed += 1;
        this.pump(attempt);
        return;
      }
    }
    this.abortChildren(attempt, true);
    this.attempt = undefined;
    this.scope.record(`${state.type}StateFailed`, undefined, undefined);
    const tolerance =
      state.type === 'Map' &&
      (state.toleratedFailureCount !== undefined || state.toleratedFailurePercentage !== undefined);
    const failure = tolerance
      ? {
          error: 'States.ExceedToleratedFailureThreshold',
          cause: `The number of failed items exceeded the tolerated failure threshold of the Map state '${state.name}'.`,
        }
      : { error, cause };
    const next = recover(
      state.retry,
      state.catch,
      { ...failure, timeout: failure.error === 'States.Timeout', heartbeat: false },
      this.attempts,
    );
    switch (next.kind) {
      case 'retry':
        this.retryTimer = this.scope.setTimer(() => {
          this.retryTimer = undefined;
          if (!this.closed) this.exit.guard(() => this.start());
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

  /** ToleratedFailureCount and ToleratedFailurePercentage: either one, when set, is enough. */
  private tolerates(state: MapState, attempt: Attempt): boolean {
    const total = attempt.children.length;
    const byCount =
      state.toleratedFailureCount !== undefined && attempt.failures <= state.toleratedFailureCount;
    const byShare =
      state.toleratedFailurePercentage !== undefined &&
      (attempt.failures / total) * 100 <= state.toleratedFailurePercentage;
    return byCount || byShare;
  }

  private abortChildren(attempt: Attempt, record: boolean): void {
    const running = [...attempt.running];
    attempt.running.clear();
    for (const [index, branch] of running) {
      branch.abort(record);
      if (record && this.state.type === 'Map') {
        this.scope.record('MapIterationAborted', 'mapIterationAbortedEventDetails', {
          name: this.state.name,
          index,
        });
      }
    }
  }

  private succeed(attempt: Attempt): void {
    const { state } = this;
    this.attempt = undefined;
    this.closed = true;
    this.scope.record(`${state.type}StateSucceeded`, undefined, undefined);
    this.exit.succeeded(stateOutput(this.data, state, this.rawInput, attempt.results));
  }
}
