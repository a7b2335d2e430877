// The Choice state: its rules (And, Or, Not, and each comparison operator with its …Path form) and Default.
import type { JsonPath, JsonValue } from '../json-path.js';
import { requirePath } from './fields.js';
import type { Obj, Problems } from './problems.js';
import { isObject, unknownFields } from './problems.js';
import { optionalJsonata, parseAssign } from './query-fields.js';
import type { ChoiceBranch, ChoiceRule, ChoiceState, ComparisonOperator, Io } from './types.js';

const COMPARISONS: readonly ComparisonOperator[] = [
  'StringEquals',
  'StringLessThan',
  'StringGreaterThan',
  'StringLessThanEquals',
  'StringGreaterThanEquals',
  'StringMatches',
  'NumericEquals',
  'NumericLessThan',
  'NumericGreaterThan',
  'NumericLessThanEquals',
  'NumericGreaterThanEquals',
  'BooleanEquals',
  'TimestampEquals',
  'TimestampLessThan',
  'TimestampGreaterThan',
  'TimestampLessThanEquals',
  'TimestampGreaterThanEquals',
  'IsPresent',
  'IsNull',
  'IsString',
  'IsNumeric',
  'IsBoolean',
  'IsTimestamp',
];
const PATH_COMPARABLE = new Set<string>(
  COMPARISONS.filter((op) => !op.startsWith('Is') && op !== 'StringMatches'),
);

export function parseChoice(name: string, raw: Obj, io: Io, where: string, problems: Problems): ChoiceState {
  const rawChoices = raw['Choices'];
  const choices: ChoiceBranch[] = [];
  if (!Array.isArray(rawChoices) || rawChoices.length === 0) {
    problems.schema('These fields are required: [Choices] (a non-empty array)', where);
  } else {
    rawChoices.forEach((item: unknown, i) => {
      const at = `${where}/Choices[${i}]`;
      const next = isObject(item) ? item['Next'] : undefined;
      if (typeof next !== 'string') {
        problems.schema('These fields are required: [Next]', at);
        return;
      }
      if (io.query.queryLanguage === 'JSONata') {
        const rule = parseCondition(item as Obj, at, problems);
        if (rule) {
          choices.push({
            rule,
            next,
            assign: parseAssign(item as Obj, 'JSONata', at, problems),
            output: optionalJsonata(item as Obj, 'Output', at, problems),
          });
        }
        return;
      }
      const rule = parseRule(item, at, problems, true);
      if (rule) choices.push({ rule, next });
    });
  }
  const fallback = raw['Default'];
  if (fallback !== undefined && typeof fallback !== 'string')
    problems.schema('Default must be a string', `${where}/Default`);
  return {
    type: 'Choice',
    name,
    ...io,
    choices,
    default: typeof fallback === 'string' ? fallback : undefined,
  };
}

function parseRule(raw: unknown, where: string, problems: Problems, top: boolean): ChoiceRule | undefined {
  if (!isObject(raw)) {
    problems.schema('A choice rule must be an object', where);
    return undefined;
  }
  const allowed = top ? ['Next', 'Comment'] : ['Comment'];
  for (const combinator of ['And', 'Or'] as const) {
    if (combinator in raw) {
      unknownFields(raw, [...allowed, combinator], where, problems);
      const list = raw[combinator];
      if (!Array.isArray(list) || list.length === 0) {
        problems.schema(`${combinator} must be a non-empty array of rules`, `${where}/${combinator}`);
        return undefined;
      }
      const rules = list.map((r: unknown, i) =>
        parseRule(r, `${where}/${combinator}[${i}]`, problems, false),
      );
      if (rules.some((r) => r === undefined)) return undefined;
      return { kind: combinator === 'And' ? 'and' : 'or', rules: rules as ChoiceRule[] };
    }
  }
  if ('Not' in raw) {
    unknownFields(raw, [...allowed, 'Not'], where, problems);
    const rule = parseRule(raw['Not'], `${where}/Not`, problems, false);
    return rule && { kind: 'not', rule };
  }
  const operators = Object.keys(raw).filter((k) => !allowed.includes(k) && k !== 'Variable');
  if (operators.length !== 1) {
    if (operators.length === 0)
      problems.schema('A choice rule needs a comparison operator, And, Or or Not', where);
    else unknownFields(raw, [...allowed, 'Variable', operators[0] as string], where, problems);
    return undefined;
  }
  const key = operators[0] as string;
  const isPath = key.endsWith('Path') && PATH_COMPARABLE.has(key.slice(0, -4));
  const operator = (isPath ? key.slice(0, -4) : key) as ComparisonOperator;
  if (!COMPARISONS.includes(operator)) {
    problems.schema(`The field "${key}" is not supported by Step Functions`, `${where}/${key}`);
    return undefined;
  }
  const variable = requirePath(raw['Variable'], `${where}/Variable`, problems, true);
  const value = raw[key];
  let operand: { literal: JsonValue } | { path: JsonPath } | undefined;
  if (isPath) {
    const path = requirePath(value, `${where}/${key}`, problems, true);
    operand = path && { path };
  } else {
    const expected = operator.startsWith('Numeric')
      ? 'number'
      : operator === 'BooleanEquals' || operator.startsWith('Is')
        ? 'boolean'
        : 'string';
    if (typeof value !== expected) {
      problems.schema(`The value of "${key}" must be a ${expected}`, `${where}/${key}`);
    } else {
      operand = { literal: value as JsonValue };
    }
  }
  if (!variable || !operand) return undefined;
  return { kind: 'compare', variable, operator, operand };
}

/** A JSONata Choice rule: `Condition` (an expression that must give a boolean), `Next`, `Assign`, `Output`. */
function parseCondition(raw: Obj, where: string, problems: Problems): ChoiceRule | undefined {
  unknownFields(raw, ['Next', 'Comment', 'Condition', 'Assign', 'Output'], where, problems);
  const condition = optionalJsonata(raw, 'Condition', where, problems);
  if (!condition) {
    problems.schema('These fields are required: [Condition]', where);
    return undefined;
  }
  return { kind: 'condition', condition };
}
