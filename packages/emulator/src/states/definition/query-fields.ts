// QueryLanguage per state (the top level's by default) and the fields that depend on it: Arguments, Output,
// Assign, Items in JSONata states; the JSONPath-only fields refused there (docs/step-functions.md#jsonata).
import { compileJsonataValue } from '../jsonata/jsonata-value.js';
import type { JsonataValue } from '../jsonata/jsonata-value.js';
import type { Obj, Problems } from './problems.js';
import { isObject } from './problems.js';
import { parseTemplate } from './template.js';
import type { Assign, Query, QueryLanguage, State } from './types.js';

/** Fields of a JSONPath state that a JSONata state replaces with Arguments, Output and Assign. */
const JSONPATH_ONLY = ['InputPath', 'OutputPath', 'Parameters', 'ResultSelector', 'ResultPath', 'ItemsPath'];

/** Fields beyond FIELDS[type] a state may have in `language`. */
export function queryFields(type: State['type'], language: QueryLanguage): string[] {
  const out = ['QueryLanguage'];
  if (type !== 'Succeed' && type !== 'Fail') out.push('Assign');
  if (language === 'JSONata') {
    out.push(...JSONPATH_ONLY);
    if (type !== 'Fail') out.push('Output');
    if (type === 'Task' || type === 'Parallel') out.push('Arguments');
    if (type === 'Map') out.push('Items');
  }
  return out;
}

export function queryLanguage(
  raw: Obj,
  fallback: QueryLanguage,
  where: string,
  problems: Problems,
): QueryLanguage {
  const value = raw['QueryLanguage'];
  if (value === undefined) return fallback;
  if (value !== 'JSONPath' && value !== 'JSONata') {
    problems.schema('The field "QueryLanguage" must be "JSONPath" or "JSONata"', `${where}/QueryLanguage`);
    return fallback;
  }
  // AWS refuses a JSONPath state in a JSONata definition: only JSONPath may be overridden per state.
  if (value === 'JSONPath' && fallback === 'JSONata') {
    problems.schema(
      'A state cannot set "QueryLanguage" to "JSONPath" when the top-level QueryLanguage is "JSONata"',
      `${where}/QueryLanguage`,
    );
  }
  return value;
}

/** Parses the query fields; in a JSONata state, refuses each JSONPath-only field by name. */
export function parseQuery(raw: Obj, language: QueryLanguage, where: string, problems: Problems): Query {
  if (language === 'JSONPath') {
    return {
      queryLanguage: language,
      arguments: undefined,
      output: undefined,
      assign: parseAssign(raw, language, where, problems),
    };
  }
  refuseJsonPathFields(raw, where, problems);
  return {
    queryLanguage: language,
    arguments: optionalJsonata(raw, 'Arguments', where, problems),
    output: optionalJsonata(raw, 'Output', where, problems),
    assign: parseAssign(raw, language, where, problems),
  };
}

export function refuseJsonPathFields(raw: Obj, where: string, problems: Problems): void {
  for (const field of JSONPATH_ONLY) {
    if (raw[field] !== undefined) {
      problems.schema(
        `The field "${field}" is not supported when QueryLanguage is "JSONata" (use Arguments, Output and Assign)`,
        `${where}/${field}`,
      );
    }
  }
}

export function optionalJsonata(
  raw: Obj,
  field: string,
  where: string,
  problems: Problems,
): JsonataValue | undefined {
  if (raw[field] === undefined) return undefined;
  return compileJsonataValue(raw[field], `${where}/${field}`, (message, at) => problems.schema(message, at));
}

export function parseAssign(
  raw: Obj,
  language: QueryLanguage,
  where: string,
  problems: Problems,
): Assign | undefined {
  const value = raw['Assign'];
  if (value === undefined) return undefined;
  const at = `${where}/Assign`;
  if (!isObject(value)) {
    problems.schema('The field "Assign" must be a JSON object', at);
    return undefined;
  }
  for (const key of Object.keys(value)) {
    const name = key.endsWith('.$') && language === 'JSONPath' ? key.slice(0, -2) : key;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || name === 'states') {
      problems.schema(
        `The variable name "${name}" is not valid (letters, digits, _; "states" is reserved)`,
        `${at}/${key}`,
      );
    }
  }
  return language === 'JSONata'
    ? { kind: 'jsonata', value: compileJsonataValue(value, at, (message, w) => problems.schema(message, w)) }
    : { kind: 'jsonpath', template: parseTemplate(value, at, problems) };
}
