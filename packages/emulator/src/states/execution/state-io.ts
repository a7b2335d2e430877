// A state's input and output in either query language: JSONPath (InputPath, Parameters, ResultSelector,
// ResultPath, OutputPath) or JSONata (Arguments, Output), then its Assign (docs/step-functions.md#jsonata).
import type { Assign, Catcher, Io, Template } from '../definition/index.js';
import type { JsonObject, JsonPath, JsonValue } from '../json-path.js';
import type { JsonataValue } from '../jsonata/jsonata-value.js';
import type { StatesBinding } from '../jsonata/evaluate-jsonata.js';
import { evaluateJsonata } from '../jsonata/evaluate-jsonata.js';
import type { DataScope } from './data-flow.js';
import { applyTemplate, placeResult, selectInput, selectOutput } from './data-flow.js';
import { StatesError } from './states-error.js';

/** The JSONPath fields a state may have besides its Io. */
interface JsonPathFields {
  parameters?: Template | undefined;
  resultSelector?: Template | undefined;
  resultPath?: JsonPath | null;
}

export function isJsonata(state: Io): boolean {
  return state.query.queryLanguage === 'JSONata';
}

export function evaluate(
  data: DataScope,
  value: JsonataValue,
  states: Omit<StatesBinding, 'context'>,
  field: string,
): JsonValue {
  return evaluateJsonata(value, { ...states, context: data.contextObject() }, data.variables.all(), field);
}

/** What the state works on: InputPath then Parameters, or Arguments (the raw input when absent). */
export function stateArguments(data: DataScope, state: Io & JsonPathFields, input: JsonValue): JsonValue {
  if (isJsonata(state)) {
    return state.query.arguments ? evaluate(data, state.query.arguments, { input }, 'Arguments') : input;
  }
  const effective = selectInput(data, state.inputPath, input);
  return state.parameters ? applyTemplate(data, state.parameters, effective, 'Parameters') : effective;
}

/**
 * What the state passes on once it has `result`, after which its Assign takes effect. Assign and Output both
 * read the variables as they were when the state was entered, so the assignments are applied last.
 */
export function stateOutput(
  data: DataScope,
  state: Io & JsonPathFields,
  input: JsonValue,
  result: JsonValue,
): JsonValue {
  if (isJsonata(state)) {
    const states = { input, result };
    const output = state.query.output ? evaluate(data, state.query.output, states, 'Output') : result;
    assign(data, state.query.assign, states, result);
    return output;
  }
  const selected = state.resultSelector
    ? applyTemplate(data, state.resultSelector, result, 'ResultSelector')
    : result;
  const output = selectOutput(
    data,
    state.outputPath,
    state.resultPath === undefined ? selected : placeResult(state.resultPath, input, selected),
  );
  assign(data, state.query.assign, { input, result }, selected);
  return output;
}

/** What a Catch passes on: the error output placed by the catcher's ResultPath, or its Output. */
export function caughtOutput(
  data: DataScope,
  state: Io,
  catcher: Catcher,
  input: JsonValue,
  errorOutput: JsonObject,
): JsonValue {
  if (isJsonata(state)) {
    const states = { input, errorOutput };
    const output = catcher.output ? evaluate(data, catcher.output, states, 'Output') : errorOutput;
    assign(data, catcher.assign, states, errorOutput);
    return output;
  }
  const output = placeResult(catcher.resultPath, input, errorOutput);
  assign(data, catcher.assign, { input }, errorOutput);
  return output;
}

/**
 * Evaluates every assignment first, then applies them together. `jsonPathRoot` is what `$` reads in JSONPath:
 * *Unconfirmed* — the state's result after ResultSelector (for a Pass, its Result or Parameters output).
 */
function assign(
  data: DataScope,
  spec: Assign | undefined,
  states: Omit<StatesBinding, 'context'>,
  jsonPathRoot: JsonValue,
): void {
  if (!spec) return;
  const values =
    spec.kind === 'jsonata'
      ? evaluate(data, spec.value, states, 'Assign')
      : applyTemplate(data, spec.template, jsonPathRoot, 'Assign');
  if (values === null || typeof values !== 'object' || Array.isArray(values)) {
    throw new StatesError('States.QueryEvaluationError', 'The field Assign must evaluate to a JSON object');
  }
  data.variables.assign(values);
}
