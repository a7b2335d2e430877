// The definition part's face: parse a definition text, and the parsed types the runner reads.
export { parseDefinition } from './parse-definition.js';
export type {
  Assign,
  Io,
  Catcher,
  ChoiceRule,
  Definition,
  MapState,
  ParallelState,
  Retrier,
  State,
  StateGraph,
  TaskState,
  Template,
} from './types.js';
