// Parses and checks an Amazon States Language definition against the subset the emulator runs (activity
// Tasks, Pass, Choice, Wait, Succeed, Fail); anything else is refused, naming the field and where it is.

import { MAX_JSON_DEPTH, nestsDeeperThan } from '../json-depth.js';
import { serviceErrors } from '../service-error.js';
import type { JsonPath, JsonValue } from './json-path.js';
import { parseJsonPath } from './json-path.js';

/** A Parameters / ResultSelector template: literal values with `"key.$": "<path>"` entries resolved per run. */
export type Template =
  | { kind: 'literal'; value: JsonValue }
  | { kind: 'path'; path: JsonPath }
  | { kind: 'object'; entries: readonly (readonly [string, Template])[] }
  | { kind: 'array'; items: readonly Template[] };

interface Retrier {
  errorEquals: readonly string[];
  intervalSeconds: number;
  maxAttempts: number;
  backoffRate: number;
  maxDelaySeconds: number | undefined;
  jitter: 'FULL' | 'NONE';
}

interface Catcher {
  errorEquals: readonly string[];
  next: string;
  /** null discards the error output (the state's input passes on). */
  resultPath: JsonPath | null;
}

type ComparisonOperator =
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
  | {
      kind: 'compare';
      variable: JsonPath;
      operator: ComparisonOperator;
      /** The literal operand, or the path of the operand for the `…Path` forms. */
      operand: { literal: JsonValue } | { path: JsonPath };
    };

interface Io {
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

type ChoiceState = Io & {
  type: 'Choice';
  name: string;
  choices: readonly { rule: ChoiceRule; next: string }[];
  default: string | undefined;
};

type WaitState = Io &
  Transition & {
    type: 'Wait';
    name: string;
    wait:
      { seconds: number } | { secondsPath: JsonPath } | { timestamp: string } | { timestampPath: JsonPath };
  };

type SucceedState = Io & { type: 'Succeed'; name: string };

interface FailState {
  type: 'Fail';
  name: string;
  error: string | undefined;
  cause: string | undefined;
}

export type State = TaskState | PassState | ChoiceState | WaitState | SucceedState | FailState;

export interface Definition {
  startAt: string;
  states: ReadonlyMap<string, State>;
  /** Execution-level TimeoutSeconds. */
  timeoutSeconds: number | undefined;
}

/** An activity ARN, the only Task Resource the emulator runs. */
const ACTIVITY_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:activity:[^:\s]{1,80}$/;

const MAX_TIMEOUT_SECONDS = 99_999_999;
const ROOT_PATH: JsonPath = { text: '$', context: false, segments: [] };
const STATE_NAME_MAX = 80;

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

const COMMON_FIELDS = ['Type', 'Comment'];
const IO_FIELDS = ['InputPath', 'OutputPath'];
const FIELDS: Record<State['type'], readonly string[]> = {
  Task: [
    ...COMMON_FIELDS,
    ...IO_FIELDS,
    'Next',
    'End',
    'Resource',
    'TimeoutSeconds',
    'HeartbeatSeconds',
    'Parameters',
    'ResultSelector',
    'ResultPath',
    'Retry',
    'Catch',
  ],
  Pass: [...COMMON_FIELDS, ...IO_FIELDS, 'Next', 'End', 'Result', 'ResultPath', 'Parameters'],
  Choice: [...COMMON_FIELDS, ...IO_FIELDS, 'Choices', 'Default'],
  Wait: [
    ...COMMON_FIELDS,
    ...IO_FIELDS,
    'Next',
    'End',
    'Seconds',
    'SecondsPath',
    'Timestamp',
    'TimestampPath',
  ],
  Succeed: [...COMMON_FIELDS, ...IO_FIELDS],
  Fail: [...COMMON_FIELDS, 'Error', 'Cause'],
};
const TOP_FIELDS = ['StartAt', 'States', 'Comment', 'Version', 'TimeoutSeconds', 'QueryLanguage'];
const RETRIER_FIELDS = [
  'ErrorEquals',
  'IntervalSeconds',
  'MaxAttempts',
  'BackoffRate',
  'MaxDelaySeconds',
  'JitterStrategy',
  'Comment',
];
const CATCHER_FIELDS = ['ErrorEquals', 'Next', 'ResultPath', 'Comment'];

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Collects every problem so one refusal lists them all, like AWS does. */
class Problems {
  readonly list: string[] = [];
  schema(message: string, where: string): void {
    this.list.push(`SCHEMA_VALIDATION_FAILED: ${message} at ${where}`);
  }
  add(code: string, message: string, where: string): void {
    this.list.push(`${code}: ${message} at ${where}`);
  }
}

/** Parses `text` (the CreateStateMachine `definition`), throwing InvalidDefinition on anything outside the subset. */
export function parseDefinition(text: string): Definition {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw serviceErrors.invalidDefinition(
      `INVALID_JSON_DESCRIPTION: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  // The parser below walks templates and rules recursively; refuse what would overflow it (see MAX_JSON_DEPTH).
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
    throw serviceErrors.invalidDefinition(
      `INVALID_JSON_DESCRIPTION: the definition nests deeper than ${MAX_JSON_DEPTH} levels`,
    );
  }
  const problems = new Problems();
  const definition = parseTop(raw, problems);
  if (problems.list.length > 0 || !definition) {
    throw serviceErrors.invalidDefinition(problems.list.join('; '));
  }
  return definition;
}

function parseTop(raw: unknown, problems: Problems): Definition | undefined {
  if (!isObject(raw)) {
    problems.schema('The definition must be a JSON object', '/');
    return undefined;
  }
  unknownFields(raw, TOP_FIELDS, '', problems);
  if (raw['QueryLanguage'] !== undefined && raw['QueryLanguage'] !== 'JSONPath') {
    problems.schema(
      'The field "QueryLanguage" only supports "JSONPath" in this emulator (no JSONata)',
      '/QueryLanguage',
    );
  }
  const startAt = raw['StartAt'];
  if (typeof startAt !== 'string') problems.schema('These fields are required: [StartAt]', '/');
  const timeoutSeconds = optionalSeconds(raw, 'TimeoutSeconds', '', problems);
  const rawStates = raw['States'];
  if (!isObject(rawStates) || Object.keys(rawStates).length === 0) {
    problems.schema('These fields are required: [States] (a non-empty object)', '/');
    return undefined;
  }
  const states = new Map<string, State>();
  for (const [name, rawState] of Object.entries(rawStates)) {
    const where = `/States/${name}`;
    if (name.length === 0 || name.length > STATE_NAME_MAX) {
      problems.schema(`State names must be 1–${STATE_NAME_MAX} characters`, where);
    }
    const state = parseState(name, rawState, where, problems);
    if (state) states.set(name, state);
  }
  if (typeof startAt === 'string' && !Object.prototype.hasOwnProperty.call(rawStates, startAt)) {
    problems.add('MISSING_TRANSITION_TARGET', `Missing 'Next' target: ${startAt}`, '/StartAt');
  }
  // Transitions to missing states, then states nothing reaches (AWS refuses both).
  for (const state of states.values()) {
    for (const [target, field] of transitions(state)) {
      if (!Object.prototype.hasOwnProperty.call(rawStates, target)) {
        problems.add(
          'MISSING_TRANSITION_TARGET',
          `Missing 'Next' target: ${target}`,
          `/States/${state.name}/${field}`,
        );
      }
    }
  }
  if (typeof startAt === 'string' && problems.list.length === 0) {
    const reached = new Set<string>([startAt]);
    const queue = [startAt];
    for (let i = 0; i < queue.length; i++) {
      const state = states.get(queue[i] as string);
      if (!state) continue;
      for (const [target] of transitions(state)) {
        if (!reached.has(target)) {
          reached.add(target);
          queue.push(target);
        }
      }
    }
    for (const name of states.keys()) {
      if (!reached.has(name))
        problems.add('UNREACHABLE_STATE', `State "${name}" is not reachable.`, `/States/${name}`);
    }
  }
  if (typeof startAt !== 'string') return undefined;
  return { startAt, states, timeoutSeconds };
}

function transitions(state: State): [string, string][] {
  const out: [string, string][] = [];
  switch (state.type) {
    case 'Task':
      if (state.next !== undefined) out.push([state.next, 'Next']);
      state.catch.forEach((c, i) => out.push([c.next, `Catch[${i}]/Next`]));
      break;
    case 'Pass':
    case 'Wait':
      if (state.next !== undefined) out.push([state.next, 'Next']);
      break;
    case 'Choice':
      state.choices.forEach((c, i) => out.push([c.next, `Choices[${i}]/Next`]));
      if (state.default !== undefined) out.push([state.default, 'Default']);
      break;
    case 'Succeed':
    case 'Fail':
      break;
  }
  return out;
}

function unknownFields(raw: Obj, allowed: readonly string[], where: string, problems: Problems): void {
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) {
      problems.schema(`The field "${key}" is not supported by Step Functions`, `${where}/${key}`);
    }
  }
}

function parseState(name: string, raw: unknown, where: string, problems: Problems): State | undefined {
  if (!isObject(raw)) {
    problems.schema('A state must be a JSON object', where);
    return undefined;
  }
  const type = raw['Type'];
  if (typeof type !== 'string') {
    problems.schema('These fields are required: [Type]', where);
    return undefined;
  }
  if (!Object.prototype.hasOwnProperty.call(FIELDS, type)) {
    problems.schema(
      `The value for the field "Type" must be one of Task, Pass, Choice, Wait, Succeed, Fail in this emulator (got "${type}")`,
      `${where}/Type`,
    );
    return undefined;
  }
  const stateType = type as State['type'];
  unknownFields(raw, FIELDS[stateType], where, problems);
  const io: Io = {
    inputPath: optionalPath(raw, 'InputPath', where, problems),
    outputPath: optionalPath(raw, 'OutputPath', where, problems),
  };
  switch (stateType) {
    case 'Task': {
      const resource = raw['Resource'];
      if (typeof resource !== 'string') {
        problems.schema('These fields are required: [Resource]', where);
      } else if (!ACTIVITY_ARN.test(resource)) {
        problems.schema(
          'Value is not a valid resource ARN: this emulator runs activity ARNs only (arn:aws:states:<region>:<account>:activity:<name>)',
          `${where}/Resource`,
        );
      }
      const timeoutSeconds = optionalSeconds(raw, 'TimeoutSeconds', where, problems);
      const heartbeatSeconds = optionalSeconds(raw, 'HeartbeatSeconds', where, problems);
      if (heartbeatSeconds !== undefined && heartbeatSeconds >= (timeoutSeconds ?? MAX_TIMEOUT_SECONDS)) {
        problems.schema('HeartbeatSeconds must be smaller than TimeoutSeconds', `${where}/HeartbeatSeconds`);
      }
      return {
        type: 'Task',
        name,
        ...io,
        next: parseTransition(raw, where, problems),
        resource: typeof resource === 'string' ? resource : '',
        timeoutSeconds,
        heartbeatSeconds,
        parameters: optionalTemplate(raw, 'Parameters', where, problems),
        resultSelector: optionalTemplate(raw, 'ResultSelector', where, problems),
        resultPath: resultPath(raw, where, problems),
        retry: parseRetry(raw['Retry'], `${where}/Retry`, problems),
        catch: parseCatch(raw['Catch'], `${where}/Catch`, problems),
      };
    }
    case 'Pass':
      return {
        type: 'Pass',
        name,
        ...io,
        next: parseTransition(raw, where, problems),
        result: raw['Result'] as JsonValue | undefined,
        parameters: optionalTemplate(raw, 'Parameters', where, problems),
        resultPath: resultPath(raw, where, problems),
      };
    case 'Choice':
      return parseChoice(name, raw, io, where, problems);
    case 'Wait':
      return parseWait(name, raw, io, where, problems);
    case 'Succeed':
      return { type: 'Succeed', name, ...io };
    case 'Fail': {
      const error = raw['Error'];
      const cause = raw['Cause'];
      if (error !== undefined && typeof error !== 'string')
        problems.schema('Error must be a string', `${where}/Error`);
      if (cause !== undefined && typeof cause !== 'string')
        problems.schema('Cause must be a string', `${where}/Cause`);
      return {
        type: 'Fail',
        name,
        error: typeof error === 'string' ? error : undefined,
        cause: typeof cause === 'string' ? cause : undefined,
      };
    }
  }
}

function parseTransition(raw: Obj, where: string, problems: Problems): string | undefined {
  const next = raw['Next'];
  const end = raw['End'];
  if (end !== undefined && typeof end !== 'boolean') problems.schema('End must be a boolean', `${where}/End`);
  if (next !== undefined && typeof next !== 'string')
    problems.schema('Next must be a string', `${where}/Next`);
  if (end === true && next !== undefined) {
    problems.schema('Only one of "Next" or "End" may be set', where);
  } else if (end !== true && next === undefined) {
    problems.schema('These fields are required: [Next] (or "End": true)', where);
  }
  return typeof next === 'string' && end !== true ? next : undefined;
}

function optionalPath(raw: Obj, field: string, where: string, problems: Problems): JsonPath | null {
  if (!Object.prototype.hasOwnProperty.call(raw, field)) return ROOT_PATH;
  const value = raw[field];
  if (value === null) return null;
  return requirePath(value, `${where}/${field}`, problems, false) ?? null;
}

function resultPath(raw: Obj, where: string, problems: Problems): JsonPath | null {
  const path = optionalPath(raw, 'ResultPath', where, problems);
  if (path?.context) problems.schema('ResultPath cannot refer to the context object', `${where}/ResultPath`);
  return path;
}

function requirePath(
  value: unknown,
  where: string,
  problems: Problems,
  allowContext: boolean,
): JsonPath | undefined {
  const path = typeof value === 'string' ? parseJsonPath(value) : undefined;
  if (!path || (path.context && !allowContext)) {
    problems.schema(
      `The value ${JSON.stringify(value)} is not a supported JSONPath (this emulator supports $, $.a.b and $.a[0])`,
      where,
    );
    return undefined;
  }
  return path;
}

function optionalSeconds(raw: Obj, field: string, where: string, problems: Problems): number | undefined {
  const value = raw[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_TIMEOUT_SECONDS) {
    problems.schema(`${field} must be an integer from 1 to ${MAX_TIMEOUT_SECONDS}`, `${where}/${field}`);
    return undefined;
  }
  return value;
}

function optionalTemplate(raw: Obj, field: string, where: string, problems: Problems): Template | undefined {
  if (!Object.prototype.hasOwnProperty.call(raw, field)) return undefined;
  return parseTemplate(raw[field], `${where}/${field}`, problems);
}

function parseTemplate(value: unknown, where: string, problems: Problems): Template {
  if (Array.isArray(value)) {
    return { kind: 'array', items: value.map((item, i) => parseTemplate(item, `${where}[${i}]`, problems)) };
  }
  if (!isObject(value)) return { kind: 'literal', value: value as JsonValue };
  const entries: (readonly [string, Template])[] = [];
  for (const [key, inner] of Object.entries(value)) {
    if (key.endsWith('.$')) {
      const target = `${where}/${key}`;
      if (typeof inner === 'string' && inner.startsWith('States.')) {
        problems.schema('Intrinsic functions are not supported by this emulator', target);
        continue;
      }
      const path = requirePath(inner, target, problems, true);
      if (path) entries.push([key.slice(0, -2), { kind: 'path', path }]);
    } else {
      entries.push([key, parseTemplate(inner, `${where}/${key}`, problems)]);
    }
  }
  return { kind: 'object', entries };
}

function errorEquals(raw: Obj, where: string, last: boolean, problems: Problems): string[] {
  const list = raw['ErrorEquals'];
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    !list.every((e) => typeof e === 'string' && e.length > 0)
  ) {
    problems.schema('ErrorEquals must be a non-empty array of error names', `${where}/ErrorEquals`);
    return [];
  }
  const names = list as string[];
  if (names.includes('States.ALL') && (names.length > 1 || !last)) {
    problems.schema(
      'States.ALL must appear alone in ErrorEquals and in the last retrier or catcher',
      `${where}/ErrorEquals`,
    );
  }
  return names;
}

function parseRetry(raw: unknown, where: string, problems: Problems): Retrier[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    problems.schema('Retry must be an array', where);
    return [];
  }
  return raw.flatMap((item: unknown, i): Retrier[] => {
    const at = `${where}[${i}]`;
    if (!isObject(item)) {
      problems.schema('A retrier must be an object', at);
      return [];
    }
    unknownFields(item, RETRIER_FIELDS, at, problems);
    const number = (field: string, fallback: number, check: (n: number) => boolean, rule: string): number => {
      const value = item[field];
      if (value === undefined) return fallback;
      if (typeof value !== 'number' || !check(value)) {
        problems.schema(`${field} must be ${rule}`, `${at}/${field}`);
        return fallback;
      }
      return value;
    };
    const jitter = item['JitterStrategy'];
    if (jitter !== undefined && jitter !== 'FULL' && jitter !== 'NONE') {
      problems.schema('JitterStrategy must be FULL or NONE', `${at}/JitterStrategy`);
    }
    const maxDelay = item['MaxDelaySeconds'];
    return [
      {
        errorEquals: errorEquals(item, at, i === raw.length - 1, problems),
        intervalSeconds: number(
          'IntervalSeconds',
          1,
          (n) => Number.isInteger(n) && n >= 1 && n <= MAX_TIMEOUT_SECONDS,
          'a positive integer',
        ),
        maxAttempts: number(
          'MaxAttempts',
          3,
          (n) => Number.isInteger(n) && n >= 0 && n <= MAX_TIMEOUT_SECONDS,
          'a non-negative integer',
        ),
        backoffRate: number('BackoffRate', 2, (n) => n >= 1, 'a number of at least 1.0'),
        maxDelaySeconds:
          maxDelay === undefined
            ? undefined
            : number(
                'MaxDelaySeconds',
                0,
                (n) => Number.isInteger(n) && n >= 1 && n <= 31_622_400,
                'an integer from 1 to 31622400',
              ),
        jitter: jitter === 'FULL' ? 'FULL' : 'NONE',
      },
    ];
  });
}

function parseCatch(raw: unknown, where: string, problems: Problems): Catcher[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    problems.schema('Catch must be an array', where);
    return [];
  }
  return raw.flatMap((item: unknown, i): Catcher[] => {
    const at = `${where}[${i}]`;
    if (!isObject(item)) {
      problems.schema('A catcher must be an object', at);
      return [];
    }
    unknownFields(item, CATCHER_FIELDS, at, problems);
    const next = item['Next'];
    if (typeof next !== 'string') {
      problems.schema('These fields are required: [Next]', at);
      return [];
    }
    return [
      {
        errorEquals: errorEquals(item, at, i === raw.length - 1, problems),
        next,
        resultPath: resultPath(item, at, problems),
      },
    ];
  });
}

function parseChoice(name: string, raw: Obj, io: Io, where: string, problems: Problems): ChoiceState {
  const rawChoices = raw['Choices'];
  const choices: { rule: ChoiceRule; next: string }[] = [];
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

function parseWait(name: string, raw: Obj, io: Io, where: string, problems: Problems): WaitState {
  const next = parseTransition(raw, where, problems);
  const given = ['Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath'].filter((k) => raw[k] !== undefined);
  if (given.length !== 1) {
    problems.schema('Exactly one of Seconds, SecondsPath, Timestamp or TimestampPath is required', where);
    return { type: 'Wait', name, ...io, next, wait: { seconds: 0 } };
  }
  const field = given[0] as string;
  const value = raw[field];
  const at = `${where}/${field}`;
  switch (field) {
    case 'Seconds':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_TIMEOUT_SECONDS) {
        problems.schema(`Seconds must be an integer from 0 to ${MAX_TIMEOUT_SECONDS}`, at);
        return { type: 'Wait', name, ...io, next, wait: { seconds: 0 } };
      }
      return { type: 'Wait', name, ...io, next, wait: { seconds: value } };
    case 'Timestamp':
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
        problems.schema('Timestamp must be an RFC 3339 timestamp', at);
        return { type: 'Wait', name, ...io, next, wait: { seconds: 0 } };
      }
      return { type: 'Wait', name, ...io, next, wait: { timestamp: value } };
    default: {
      const path = requirePath(value, at, problems, true) ?? ROOT_PATH;
      return {
        type: 'Wait',
        name,
        ...io,
        next,
        wait: field === 'SecondsPath' ? { secondsPath: path } : { timestampPath: path },
      };
    }
  }
}
