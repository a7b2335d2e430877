// A value of a JSONata state's field (Arguments, Output, Assign, Items, a Condition): JSON in which every
// string `{% … %}` is a JSONata expression, compiled once when the definition is parsed (docs/step-functions.md#jsonata).
import jsonata from 'jsonata';
import type { JsonValue } from '../json-path.js';

export type JsonataValue =
  | { kind: 'literal'; value: JsonValue }
  | { kind: 'expression'; text: string; expression: jsonata.Expression }
  | { kind: 'object'; entries: readonly (readonly [string, JsonataValue])[] }
  | { kind: 'array'; items: readonly JsonataValue[] };

const EXPRESSION = /^\{%([\s\S]*)%\}$/;

/** Compiles `value`; each expression that does not compile is reported through `problem` (with its pointer). */
export function compileJsonataValue(
  value: unknown,
  where: string,
  problem: (message: string, where: string) => void,
): JsonataValue {
  if (typeof value === 'string') {
    const match = EXPRESSION.exec(value);
    if (!match) return { kind: 'literal', value };
    try {
      return { kind: 'expression', text: value, expression: jsonata(match[1] ?? '') };
    } catch (err) {
      problem(`The JSONata expression ${JSON.stringify(value)} is invalid: ${messageOf(err)}`, where);
      return { kind: 'literal', value: null };
    }
  }
  if (Array.isArray(value)) {
    return {
      kind: 'array',
      items: value.map((item, i) => compileJsonataValue(item, `${where}[${i}]`, problem)),
    };
  }
  if (value !== null && typeof value === 'object') {
    return {
      kind: 'object',
      entries: Object.entries(value).map(
        ([key, inner]) => [key, compileJsonataValue(inner, `${where}/${key}`, problem)] as const,
      ),
    };
  }
  return { kind: 'literal', value: value as JsonValue };
}

export function messageOf(err: unknown): string {
  if (err !== null && typeof err === 'object' && 'message' in err) return String(err.message);
  return String(err);
}
