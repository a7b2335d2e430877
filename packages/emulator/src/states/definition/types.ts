// The parsed form of a definition: what the runner reads. Produced only by parse-definition.ts, which has
// checked every field, so the runner never re-validates.
import type { IntrinsicCall } from '../intrinsics/intrinsic-call.js';
import type { JsonataValue } from '../jsonata/jsonata-value.js';
import type { JsonPath, JsonValue } from '../json-path.js';

/** A Parameters / ResultSelector template: literal values with `"key.$": "<path>"` entries resolved per run. */
export type Template =
  | { kind: 'literal'; value: JsonValue }
  | { kind: 'path'; path: JsonPath }
  | { kind: 'intrinsic'; call: IntrinsicCall }
  | { kind: 'object'; entries: readonly (readonly [string, Template])[] }
  | { kind: 'array'; items: readonly Template[] };

export interface Retrier {
  errorEquals: readonly string[];
  intervalSeconds: number;
  maxAttempts: number;
  backoffRate: number;
  maxDelaySeconds: number | undefined;
  jitter: 'FULL' | 'NONE';
}

export interface Catcher {
  errorEquals: readonly string[];
  next: string;
  /** null discards the error output (the state's input passes on). */
  resultPath: JsonPath | null;
  /** JSONata states: the caught output (default `$states.errorOutput`) and the variables it assigns. */
  output: JsonataValue | undefined;
  assign: Assign | undefined;
}

export type QueryLanguage = 'JSONPath' | 'JSONata';

/** Assign: a Parameters-style template in a JSONPath state, JSONata values in a JSONata one. */
export type Assign = { kind: 'jsonpath'; template: Template } | { kind: 'jsonata'; value: JsonataValue };

/** The query language of a state and its JSONata fields (undefined in JSONPath states, Assign aside). */
export interface Query {
  queryLanguage: QueryLanguage;
  arguments: JsonataValue | undefined;
  output: JsonataValue | undefined;
  assign: Assign | undefined;
}

export type ComparisonOperator =
  | 'StringEquals'
  | 'StringLessThan'
  | 'StringGreaterThan'
  | 'StringLessThanEquals'
  | 'StringGreaterThanEquals'
  | 'StringMatches'
  | 'NumericEquals'
  | 'NumericLessThan'
  | 'NumericGreaterThan'
  | 'NumericLessThanEquals'
  | 'NumericGreaterThanEquals'
  | 'BooleanEquals'
  | 'TimestampEquals'
  | 'TimestampLessThan'
  | 'TimestampGreaterThan'
  | 'TimestampLessThanEquals'
  | 'TimestampGreaterThanEquals'
  | 'IsPresent'
  | 'IsNull'
  | 'IsString'
  | 'IsNumeric'
  | 'IsBoolean'
  | 'IsTimestamp';

export type ChoiceRule =
  | { kind: 'and'; rules: readonly ChoiceRule[] }
  | { kind: 'or'; rules: readonly ChoiceRule[] }
  | { kind: 'not'; rule: ChoiceRule }
  /** A JSONata Choice rule. */
  | { kind: 'condition'; condition: JsonataValue }
  | {
      kind: 'compare';
      variable: JsonPath;
      operator: ComparisonOperator;
      /** The literal operand, or the path of the operand for the `…Path` forms. */
      operand: { literal: JsonValue } | { path: JsonPath };
    };

export interface Io {
  query: Query;
  /** null: the state sees `{}`. */
  inputPath: JsonPath | null;
  /** null: the state outputs `{}`. */
  outputPath: JsonPath | null;
}

interface Transition {
  /** undefined when the state ends the execution. */
  next: string | undefined;
}

export type TaskState = Io &
  Transition & {
    type: 'Task';
    name: string;
    resource: string;
    timeoutSeconds: number | undefined;
    heartbeatSeconds: number | undefined;
    parameters: Template | undefined;
    resultSelector: Template | undefined;
    resultPath: JsonPath | null;
    retry: readonly Retrier[];
    catch: readonly Catcher[];
  };

type PassState = Io &
  Transition & {
    type: 'Pass';
    name: string;
    result: JsonValue | undefined;
    parameters: Template | undefined;
    resultPath: JsonPath | null;
  };

/** One of a Choice state's rules; a JSONata rule may carry its own Assign and Output. */
export interface ChoiceBranch {
  rule: ChoiceRule;
  next: string;
  assign?: Assign | undefined;
  output?: JsonataValue | undefined;
}

export type ChoiceState = Io & {
  type: 'Choice';
  name: string;
  choices: readonly ChoiceBranch[];
  default: string | undefined;
};

export type WaitState = Io &
  Transition & {
    type: 'Wait';
    name: string;
    wait:
      | { seconds: number }
      | { secondsPath: JsonPath }
      | { timestamp: string }
      | { timestampPath: JsonPath }
      /** JSONata: Seconds or Timestamp as an expression. */
      | { secondsJsonata: JsonataValue }
      | { timestampJsonata: JsonataValue };
  };

type SucceedState = Io & { type: 'Succeed'; name: string };

interface FailState {
  type: 'Fail';
  name: string;
  error: string | undefined;
  cause: string | undefined;
  /** JSONata states: Error and Cause as JSONata values, evaluated when the state runs. */
  errorJsonata?: JsonataValue | undefined;
  causeJsonata?: JsonataValue | undefined;
}

/** Fields a state that stays open while its work runs (Map, Parallel) shares with a Task. */
interface Recoverable {
  resultSelector: Template | undefined;
  resultPath: JsonPath | null;
  retry: readonly Retrier[];
  catch: readonly Catcher[];
}

/** A Map in inline mode: one iteration of `processor` per item, `maxConcurrency` at a time (0: all). */
export type MapState = Io &
  Transition &
  Recoverable & {
    type: 'Map';
    name: string;
    itemsPath: JsonPath;
    /** JSONata: Items (default: the state input); ItemSelector as a JSONata value. */
    items: JsonataValue | undefined;
    itemSelectorJsonata: JsonataValue | undefined;
    /** ItemSelector, or the older Parameters. */
    itemSelector: Template | undefined;
    /** ItemProcessor, or the older Iterator. */
    processor: StateGraph;
    maxConcurrency: number;
    toleratedFailureCount: number | undefined;
    toleratedFailurePercentage: number | undefined;
  };

export type ParallelState = Io &
  Transition &
  Recoverable & {
    type: 'Parallel';
    name: string;
    parameters: Template | undefined;
    branches: readonly StateGraph[];
  };

export type State =
  TaskState | PassState | ChoiceState | WaitState | SucceedState | FailState | MapState | ParallelState;

/** A graph of states: the whole definition, a Map's ItemProcessor, one of a Parallel's Branches. */
export interface StateGraph {
  startAt: string;
  states: ReadonlyMap<string, State>;
}

export interface Definition extends StateGraph {
  /** Execution-level TimeoutSeconds. */
  timeoutSeconds: number | undefined;
}
