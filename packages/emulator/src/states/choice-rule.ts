// Evaluates Choice state rules (comparisons, the `…Path` forms, And/Or/Not) against a state's input.
// A comparison whose variable is missing or of the wrong type is false, except IsPresent.

import type { ChoiceRule } from './definition/index.js';
import type { JsonataValue } from './jsonata/jsonata-value.js';
import type { JsonPath, JsonValue, PathLookup } from './json-path.js';

/** Reads a path from the input or, for `$$…`, from the context object. */
export type PathReader = (path: JsonPath) => PathLookup;

/** `condition` evaluates a JSONata rule's Condition (only JSONata states have those). */
export function evaluateRule(
  rule: ChoiceRule,
  read: PathReader,
  condition: (value: JsonataValue) => boolean = () => false,
): boolean {
  switch (rule.kind) {
    case 'condition':
      return condition(rule.condition);
    case 'and':
      return rule.rules.every((r) => evaluateRule(r, read, condition));
    case 'or':
      return rule.rules.some((r) => evaluateRule(r, read, condition));
    case 'not':
      return !evaluateRule(rule.rule, read, condition);
    case 'compare':
      break;
  }
  const variable = read(rule.variable);
  const { operator } = rule;
  if (operator === 'IsPresent') return variable.found === literalBoolean(rule.operand);
  if (!variable.found) return false;
  const value = variable.value;
  if (operator.startsWith('Is')) {
    const expected = literalBoolean(rule.operand);
    switch (operator) {
      case 'IsNull':
        return (value === null) === expected;
      case 'IsString':
        return (typeof value === 'string') === expected;
      case 'IsNumeric':
        return (typeof value === 'number') === expected;
      case 'IsBoolean':
        return (typeof value === 'boolean') === expected;
      default:
        return (typeof value === 'string' && isTimestamp(value)) === expected;
    }
  }
  let operand: JsonValue;
  if ('path' in rule.operand) {
    const found = read(rule.operand.path);
    if (!found.found) return false;
    operand = found.value;
  } else {
    operand = rule.operand.literal;
  }
  if (operator === 'BooleanEquals') return typeof value === 'boolean' && value === operand;
  if (operator === 'StringMatches') {
    return typeof value === 'string' && typeof operand === 'string' && wildcard(operand).test(value);
  }
  let a: number | string;
  let b: number | string;
  if (operator.startsWith('Numeric')) {
    if (typeof value !== 'number' || typeof operand !== 'number') return false;
    [a, b] = [value, operand];
  } else if (operator.startsWith('String')) {
    if (typeof value !== 'string' || typeof operand !== 'string') return false;
    [a, b] = [value, operand];
  } else {
    if (
      typeof value !== 'string' ||
      typeof operand !== 'string' ||
      !isTimestamp(value) ||
      !isTimestamp(operand)
    ) {
      return false;
    }
    [a, b] = [Date.parse(value), Date.parse(operand)];
  }
  const suffix = operator.replace(/^(Numeric|String|Timestamp)/, '');
  switch (suffix) {
    case 'Equals':
      return a === b;
    case 'LessThan':
      return a < b;
    case 'GreaterThan':
      return a > b;
    case 'LessThanEquals':
      return a <= b;
    default:
      return a >= b;
  }
}

function literalBoolean(operand: { literal: JsonValue } | { path: unknown }): boolean {
  return 'literal' in operand && operand.literal === true;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function isTimestamp(value: string): boolean {
  return RFC3339.test(value) && !Number.isNaN(Date.parse(value));
}

const patterns = new Map<string, RegExp>();

/** `*` matches any run of characters; `\*` is a literal star (ASL StringMatches). */
function wildcard(pattern: string): RegExp {
  let re = patterns.get(pattern);
  if (!re) {
    let source = '';
    for (let i = 0; i < pattern.length; i++) {
      const ch = pattern[i] as string;
      if (ch === '\\' && i + 1 < pattern.length) {
        source += (pattern[++i] as string).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      } else if (ch === '*') {
        source += '.*';
      } else {
        source += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      }
    }
    re = new RegExp(`^${source}$`, 's');
    if (patterns.size < 1000) patterns.set(pattern, re);
  }
  return re;
}
