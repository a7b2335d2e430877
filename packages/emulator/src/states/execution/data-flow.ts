// JSONPath data flow of one state: InputPath, Parameters-style templates, ResultPath, OutputPath, each
// failing with the error AWS names (States.Runtime for a missing path, States.ResultPathMatchFailure).
import type { Template } from '../definition/index.js';
import type { JsonObject, JsonPath, JsonValue, PathLookup } from '../json-path.js';
import { readPath, writePath } from '../json-path.js';
import { IntrinsicFailure, evaluateIntrinsic } from '../intrinsics/evaluate-intrinsic.js';
import type { VariableScope } from '../jsonata/variable-scope.js';
import { StatesError } from './states-error.js';

/** What a path read needs besides the input: the state's name (for messages) and the `$$` context object. */
export interface DataScope {
  stateName(): string;
  /** Built only when a path asks for it. */
  contextObject(): JsonValue;
  /** The workflow variables the state sees (docs/step-functions.md#variables). */
  readonly variables: VariableScope;
}

export function selectInput(scope: DataScope, path: JsonPath | null, input: JsonValue): JsonValue {
  return path === null ? {} : read(scope, input, path, 'InputPath');
}

export function selectOutput(scope: DataScope, path: JsonPath | null, output: JsonValue): JsonValue {
  return path === null ? {} : read(scope, output, path, 'OutputPath');
}

export function placeResult(path: JsonPath | null, input: JsonValue, result: JsonValue): JsonValue {
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

export function read(scope: DataScope, input: JsonValue, path: JsonPath, field: string): JsonValue {
  const found = reader(scope, input)(path);
  if (!found.found) {
    throw new StatesError(
      'States.Runtime',
      `An error occurred while executing the state '${scope.stateName()}'. Invalid path '${path.text}' in ${field}: the path was not found in the input.`,
    );
  }
  return found.value;
}

export function reader(scope: DataScope, input: JsonValue): (path: JsonPath) => PathLookup {
  return (path) => {
    if (path.variable === undefined) return readPath(path.context ? scope.contextObject() : input, path);
    const found = scope.variables.lookup(path.variable);
    return found.found ? readPath(found.value, path) : found;
  };
}

export function applyTemplate(
  scope: DataScope,
  template: Template,
  input: JsonValue,
  field: string,
): JsonValue {
  switch (template.kind) {
    case 'literal':
      return template.value;
    case 'path':
      return read(scope, input, template.path, field);
    case 'intrinsic':
      try {
        return evaluateIntrinsic(template.call, (path) => read(scope, input, path, field));
      } catch (err) {
        if (err instanceof IntrinsicFailure) throw new StatesError('States.IntrinsicFailure', err.message);
        throw err;
      }
    case 'array':
      return template.items.map((item) => applyTemplate(scope, item, input, field));
    case 'object': {
      const out: JsonObject = {};
      for (const [key, value] of template.entries) out[key] = applyTemplate(scope, value, input, field);
      return out;
    }
  }
}
