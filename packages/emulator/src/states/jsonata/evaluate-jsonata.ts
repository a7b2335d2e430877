// Evaluates a JSONata field against `$states` and the workflow variables. jsonata 1.8's evaluate() is
// synchronous, which fits the state runner's synchronous steps (see the commit that chose it).
import type { JsonObject, JsonValue } from '../json-path.js';
import { StatesError } from '../execution/states-error.js';
import type { JsonataValue } from './jsonata-value.js';
import { messageOf } from './jsonata-value.js';

/** `$states` as AWS defines it for a JSONata state; `result` and `errorOutput` only where they exist. */
export interface StatesBinding {
  input: JsonValue;
  context: JsonValue;
  result?: JsonValue;
  errorOutput?: JsonValue;
}

export function evaluateJsonata(
  value: JsonataValue,
  states: StatesBinding,
  variables: JsonObject,
  field: string,
): JsonValue {
  const bindings = { ...variables, states };
  const result = evaluate(value, bindings, field);
  if (result === undefined) {
    // *Unconfirmed* wording; AWS fails such a field with States.QueryEvaluationError.
    throw new StatesError(
      'States.QueryEvaluationError',
      `The JSONata expression in the field '${field}' returned no value`,
    );
  }
  return result;
}

function evaluate(
  value: JsonataValue,
  bindings: Record<string, unknown>,
  field: string,
): JsonValue | undefined {
  switch (value.kind) {
    case 'literal':
      return value.value;
    case 'expression': {
      let out: unknown;
      try {
        out = value.expression.evaluate(
          bindings['states'] !== undefined ? (bindings['states'] as StatesBinding).input : null,
          bindings,
        );
      } catch (err) {
        throw new StatesError(
          'States.QueryEvaluationError',
          `An error occurred while evaluating the JSONata expression ${JSON.stringify(value.text)} in the field '${field}': ${messageOf(err)}`,
        );
      }
      // JSONata sequences and functions are not JSON: a round trip keeps what JSON can hold.
      return out === undefined ? undefined : (JSON.parse(JSON.stringify(out) ?? 'null') as JsonValue);
    }
    case 'array':
      return value.items.flatMap((item) => {
        const out = evaluate(item, bindings, field);
        return out === undefined ? [] : [out];
      });
    case 'object': {
      const out: JsonObject = {};
      for (const [key, inner] of value.entries) {
        const v = evaluate(inner, bindings, field);
        if (v !== undefined) out[key] = v;
      }
      return out;
    }
  }
}
