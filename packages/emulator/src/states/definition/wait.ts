// The Wait state: exactly one of Seconds, SecondsPath, Timestamp, TimestampPath.
import { MAX_TIMEOUT_SECONDS, ROOT_PATH, parseTransition, requirePath } from './fields.js';
import { compileJsonataValue } from '../jsonata/jsonata-value.js';
import type { Obj, Problems } from './problems.js';
import type { Io, WaitState } from './types.js';

export function parseWait(name: string, raw: Obj, io: Io, where: string, problems: Problems): WaitState {
  const next = parseTransition(raw, where, problems);
  const given = ['Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath'].filter((k) => raw[k] !== undefined);
  if (given.length !== 1) {
    problems.schema('Exactly one of Seconds, SecondsPath, Timestamp or TimestampPath is required', where);
    return { type: 'Wait', name, ...io, next, wait: { seconds: 0 } };
  }
  const field = given[0] as string;
  const value = raw[field];
  const at = `${where}/${field}`;
  if (io.query.queryLanguage === 'JSONata') {
    if (field.endsWith('Path')) {
      problems.schema(
        `The field "${field}" is not supported when QueryLanguage is "JSONata" (use an expression in ${field.slice(0, -4)})`,
        at,
      );
      return { type: 'Wait', name, ...io, next, wait: { seconds: 0 } };
    }
    if (typeof value === 'string' && /^\{%[\s\S]*%\}$/.test(value)) {
      const compiled = compileJsonataValue(value, at, (message, w) => problems.schema(message, w));
      return {
        type: 'Wait',
        name,
        ...io,
        next,
        wait: field === 'Seconds' ? { secondsJsonata: compiled } : { timestampJsonata: compiled },
      };
    }
  }
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
