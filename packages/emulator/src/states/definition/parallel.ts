// The Parallel state: Branches (each a graph of its own), Parameters, and the Task-like result fields.
import { parseTransition, resultPath } from './fields.js';
import type { NestedGraphParser } from './map.js';
import type { Obj, Problems } from './problems.js';
import { isObject, unknownFields } from './problems.js';
import { parseCatch, parseRetry } from './retry-catch.js';
import { GRAPH_FIELDS } from './state-fields.js';
import { optionalTemplate } from './template.js';
import type { Io, ParallelState, StateGraph } from './types.js';

export function parseParallel(
  name: string,
  raw: Obj,
  io: Io,
  where: string,
  problems: Problems,
  nested: NestedGraphParser,
): ParallelState {
  const rawBranches = raw['Branches'];
  const branches: StateGraph[] = [];
  if (!Array.isArray(rawBranches) || rawBranches.length === 0) {
    problems.schema('These fields are required: [Branches] (a non-empty array)', where);
  } else {
    rawBranches.forEach((branch: unknown, i) => {
      const at = `${where}/Branches[${i}]`;
      if (isObject(branch)) unknownFields(branch, GRAPH_FIELDS.slice(0, 3), at, problems);
      const graph = nested(branch, at);
      if (graph) branches.push(graph);
    });
  }
  return {
    type: 'Parallel',
    name,
    ...io,
    next: parseTransition(raw, where, problems),
    parameters: optionalTemplate(raw, 'Parameters', where, problems),
    branches,
    resultSelector: optionalTemplate(raw, 'ResultSelector', where, problems),
    resultPath: resultPath(raw, where, problems),
    retry: parseRetry(raw['Retry'], `${where}/Retry`, problems),
    catch: parseCatch(raw['Catch'], `${where}/Catch`, problems, io.query.queryLanguage),
  };
}
