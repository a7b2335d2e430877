// Parses and checks an Amazon States Language definition against the subset the emulator runs (activity
// Tasks, Pass, Choice, Wait, Succeed, Fail, inline Map, Parallel); anything else is refused, naming the field and where it is.
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../../json-depth.js';
import { serviceErrors } from '../../service-error.js';
import { optionalSeconds } from './fields.js';
import { parseGraph } from './graph.js';
import { Problems, isObject, unknownFields } from './problems.js';
import { TOP_FIELDS } from './state-fields.js';
import type { Definition } from './types.js';

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
  const language = raw['QueryLanguage'] ?? 'JSONPath';
  if (language !== 'JSONPath' && language !== 'JSONata') {
    problems.schema('The field "QueryLanguage" must be "JSONPath" or "JSONata"', '/QueryLanguage');
  }
  const timeoutSeconds = optionalSeconds(raw, 'TimeoutSeconds', '', problems);
  const graph = parseGraph(raw, '', {
    problems,
    names: new Set(),
    language: language === 'JSONata' ? 'JSONata' : 'JSONPath',
  });
  return graph && { ...graph, timeoutSeconds };
}
