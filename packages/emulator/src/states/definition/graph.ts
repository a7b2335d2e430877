// A graph of states — the definition itself, a Map's ItemProcessor, a Parallel's branch: its StartAt, its
// States, transitions only within it, every state reachable, and state names unique across the definition.
import { STATE_NAME_MAX } from './fields.js';
import type { Obj, Problems } from './problems.js';
import { isObject } from './problems.js';
import { parseState } from './state.js';
import type { QueryLanguage, State, StateGraph } from './types.js';

/** What parsing one graph carries across nested graphs. */
export interface GraphContext {
  readonly problems: Problems;
  /** Every state name seen so far: AWS wants them unique in the whole definition, nested ones included. */
  readonly names: Set<string>;
  /** The top level's QueryLanguage, which every state without its own inherits. */
  readonly language: QueryLanguage;
}

/** Parses `raw`'s StartAt and States; `where` is the JSON pointer of the object holding them ('' at the top). */
export function parseGraph(raw: Obj, where: string, context: GraphContext): StateGraph | undefined {
  const { problems } = context;
  const startAt = raw['StartAt'];
  if (typeof startAt !== 'string') problems.schema('These fields are required: [StartAt]', where || '/');
  const rawStates = raw['States'];
  if (!isObject(rawStates) || Object.keys(rawStates).length === 0) {
    problems.schema('These fields are required: [States] (a non-empty object)', where || '/');
    return undefined;
  }
  const states = new Map<string, State>();
  const nested = (inner: unknown, at: string): StateGraph | undefined => {
    if (!isObject(inner)) {
      problems.schema('Must be an object with StartAt and States', at);
      return undefined;
    }
    return parseGraph(inner, at, context);
  };
  for (const [name, rawState] of Object.entries(rawStates)) {
    const at = `${where}/States/${name}`;
    if (name.length === 0 || name.length > STATE_NAME_MAX) {
      problems.schema(`State names must be 1–${STATE_NAME_MAX} characters`, at);
    }
    if (context.names.has(name)) {
      problems.add('DUPLICATE_STATE_NAME', `Duplicate State name: ${name}`, at);
    }
    context.names.add(name);
    const state = parseState(name, rawState, at, problems, nested, context.language);
    if (state) states.set(name, state);
  }
  if (typeof startAt === 'string' && !Object.prototype.hasOwnProperty.call(rawStates, startAt)) {
    problems.add('MISSING_TRANSITION_TARGET', `Missing 'Next' target: ${startAt}`, `${where}/StartAt`);
  }
  // Transitions to missing states, then states nothing reaches (AWS refuses both).
  for (const state of states.values()) {
    for (const [target, field] of transitions(state)) {
      if (!Object.prototype.hasOwnProperty.call(rawStates, target)) {
        problems.add(
          'MISSING_TRANSITION_TARGET',
          `Missing 'Next' target: ${target}`,
          `${where}/States/${state.name}/${field}`,
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
        problems.add('UNREACHABLE_STATE', `State "${name}" is not reachable.`, `${where}/States/${name}`);
    }
  }
  if (typeof startAt !== 'string') return undefined;
  return { startAt, states };
}

function transitions(state: State): [string, string][] {
  const out: [string, string][] = [];
  switch (state.type) {
    case 'Task':
    case 'Map':
    case 'Parallel':
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
