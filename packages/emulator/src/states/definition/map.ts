// The Map state in inline mode: ItemsPath, ItemSelector (or the older Parameters), ItemProcessor (or the
// older Iterator), MaxConcurrency, the tolerated-failure fields. Distributed mode is refused by name.
import { ROOT_PATH, parseTransition, requirePath, resultPath } from './fields.js';
import type { Obj, Problems } from './problems.js';
import { isObject, unknownFields } from './problems.js';
import { parseCatch, parseRetry } from './retry-catch.js';
import { GRAPH_FIELDS } from './state-fields.js';
import { optionalJsonata } from './query-fields.js';
import { optionalTemplate } from './template.js';
import type { Io, MapState, StateGraph } from './types.js';

/** Parses a nested graph (given by graph.ts, which parses states, so that the two do not import each other). */
export type NestedGraphParser = (raw: unknown, where: string) => StateGraph | undefined;

const DISTRIBUTED_ONLY = ['ItemReader', 'ItemBatcher', 'ResultWriter', 'Label'];
const EMPTY_GRAPH: StateGraph = { startAt: '', states: new Map() };

export function parseMap(
  name: string,
  raw: Obj,
  io: Io,
  where: string,
  problems: Problems,
  nested: NestedGraphParser,
): MapState {
  for (const field of DISTRIBUTED_ONLY) {
    if (raw[field] !== undefined) {
      problems.schema(
        `The field "${field}" belongs to a Distributed Map, which this emulator does not run (inline Map only)`,
        `${where}/${field}`,
      );
    }
  }
  const both = (current: string, older: string): string | undefined => {
    if (raw[current] !== undefined && raw[older] !== undefined) {
      problems.schema(`Only one of "${current}" or "${older}" may be set`, where);
    }
    return raw[current] !== undefined ? current : raw[older] !== undefined ? older : undefined;
  };
  const selectorField = both('ItemSelector', 'Parameters');
  const processorField = both('ItemProcessor', 'Iterator');
  let processor: StateGraph | undefined;
  if (processorField === undefined) {
    problems.schema('These fields are required: [ItemProcessor]', where);
  } else {
    processor = parseProcessor(raw[processorField], `${where}/${processorField}`, problems, nested);
  }
  const itemsPath =
    raw['ItemsPath'] === undefined
      ? ROOT_PATH
      : (requirePath(raw['ItemsPath'], `${where}/ItemsPath`, problems, true) ?? ROOT_PATH);
  const jsonata = io.query.queryLanguage === 'JSONata';
  return {
    type: 'Map',
    name,
    ...io,
    next: parseTransition(raw, where, problems),
    itemsPath,
    items: jsonata ? optionalJsonata(raw, 'Items', where, problems) : undefined,
    itemSelector:
      selectorField === undefined || jsonata
        ? undefined
        : optionalTemplate(raw, selectorField, where, problems),
    itemSelectorJsonata: jsonata ? optionalJsonata(raw, 'ItemSelector', where, problems) : undefined,
    processor: processor ?? EMPTY_GRAPH,
    maxConcurrency: count(raw, 'MaxConcurrency', where, problems) ?? 0,
    toleratedFailureCount: count(raw, 'ToleratedFailureCount', where, problems),
    toleratedFailurePercentage: percentage(raw, where, problems),
    resultSelector: optionalTemplate(raw, 'ResultSelector', where, problems),
    resultPath: resultPath(raw, where, problems),
    retry: parseRetry(raw['Retry'], `${where}/Retry`, problems),
    catch: parseCatch(raw['Catch'], `${where}/Catch`, problems, io.query.queryLanguage),
  };
}

function parseProcessor(
  raw: unknown,
  where: string,
  problems: Problems,
  nested: NestedGraphParser,
): StateGraph | undefined {
  if (!isObject(raw)) {
    problems.schema('Must be an object with StartAt and States', where);
    return undefined;
  }
  unknownFields(raw, GRAPH_FIELDS, where, problems);
  const config = raw['ProcessorConfig'];
  if (config !== undefined) {
    const mode = isObject(config) ? config['Mode'] : undefined;
    if (mode === 'DISTRIBUTED') {
      problems.schema(
        'ProcessorConfig.Mode DISTRIBUTED (a Distributed Map with child executions) is not run by this emulator; use INLINE',
        `${where}/ProcessorConfig/Mode`,
      );
    } else if (!isObject(config) || (mode !== undefined && mode !== 'INLINE')) {
      problems.schema('ProcessorConfig.Mode must be INLINE or DISTRIBUTED', `${where}/ProcessorConfig`);
    }
  }
  return nested(raw, where);
}

function count(raw: Obj, field: string, where: string, problems: Problems): number | undefined {
  const value = raw[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    problems.schema(`${field} must be a non-negative integer`, `${where}/${field}`);
    return undefined;
  }
  return value;
}

function percentage(raw: Obj, where: string, problems: Problems): number | undefined {
  const value = raw['ToleratedFailurePercentage'];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || value < 0 || value > 100) {
    problems.schema(
      'ToleratedFailurePercentage must be a number from 0 to 100',
      `${where}/ToleratedFailurePercentage`,
    );
    return undefined;
  }
  return value;
}
