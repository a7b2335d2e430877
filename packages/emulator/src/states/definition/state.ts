// One state: checks its Type and fields, then parses it by type (Task, Pass, Succeed and Fail here; Choice,
// Wait, Map and Parallel in their own files).
import type { JsonValue } from '../json-path.js';
import { parseChoice } from './choice.js';
import {
  ACTIVITY_ARN,
  MAX_TIMEOUT_SECONDS,
  ROOT_PATH,
  optionalPath,
  optionalSeconds,
  parseTransition,
  resultPath,
} from './fields.js';
import type { NestedGraphParser } from './map.js';
import { parseMap } from './map.js';
import { parseParallel } from './parallel.js';
import type { Problems } from './problems.js';
import { isObject, unknownFields } from './problems.js';
import { parseCatch, parseRetry } from './retry-catch.js';
import { FIELDS } from './state-fields.js';
import { optionalTemplate } from './template.js';
import { optionalJsonata, parseQuery, queryFields, queryLanguage } from './query-fields.js';
import type { Io, QueryLanguage, State } from './types.js';
import { parseWait } from './wait.js';

export function parseState(
  name: string,
  raw: unknown,
  where: string,
  problems: Problems,
  nested: NestedGraphParser,
  fallback: QueryLanguage,
): State | undefined {
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
      `The value for the field "Type" must be one of Task, Pass, Choice, Wait, Succeed, Fail, Map, Parallel in this emulator (got "${type}")`,
      `${where}/Type`,
    );
    return undefined;
  }
  const stateType = type as State['type'];
  const language = queryLanguage(raw, fallback, where, problems);
  unknownFields(raw, [...FIELDS[stateType], ...queryFields(stateType, language)], where, problems);
  const query = parseQuery(raw, language, where, problems);
  // A JSONata state's JSONPath fields were refused by name above; the runner reads only its query fields.
  const jsonata = language === 'JSONata';
  const io: Io = {
    query,
    inputPath: jsonata ? ROOT_PATH : optionalPath(raw, 'InputPath', where, problems),
    outputPath: jsonata ? ROOT_PATH : optionalPath(raw, 'OutputPath', where, problems),
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
        catch: parseCatch(raw['Catch'], `${where}/Catch`, problems, language),
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
    case 'Map':
      return parseMap(name, raw, io, where, problems, nested);
    case 'Parallel':
      return parseParallel(name, raw, io, where, problems, nested);
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
        ...(jsonata && {
          errorJsonata: optionalJsonata(raw, 'Error', where, problems),
          causeJsonata: optionalJsonata(raw, 'Cause', where, problems),
        }),
      };
    }
  }
}
