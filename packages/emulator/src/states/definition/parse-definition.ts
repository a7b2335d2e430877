// Parses and checks an Amazon States Language definition against the subset the emulator runs (activity
// Tasks, Pass, Choice, Wait, Succeed, Fail); anything else is refused, naming the field and where it is.
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../../json-depth.js';
import { serviceErrors } from '../../service-error.js';
import { STATE_NAME_MAX, optionalSeconds } from './fields.js';
import { Problems, isObject, unknownFields } from './problems.js';
import { parseState } from './state.js';
import { TOP_FIELDS } from './state-fields.js';
import type { Definition, State } from './types.js';

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
