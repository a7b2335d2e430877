// The field parsers every state type shares: paths, seconds, Next/End, ResultPath; each rule written once.
import type { JsonPath } from '../json-path.js';
import { parseJsonPath } from '../json-path.js';
import type { Obj, Problems } from './problems.js';

/** An activity ARN, the only Task Resource the emulator runs. */
export const ACTIVITY_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:activity:[^:\s]{1,80}$/;

export const MAX_TIMEOUT_SECONDS = 99_999_999;
export const ROOT_PATH: JsonPath = { text: '$', context: false, segments: [] };
export const STATE_NAME_MAX = 80;

export function parseTransition(raw: Obj, where: string, problems: Problems): string | undefined {
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

export function optionalPath(raw: Obj, field: string, where: string, problems: Problems): JsonPath | null {
  if (!Object.prototype.hasOwnProperty.call(raw, field)) return ROOT_PATH;
  const value = raw[field];
  if (value === null) return null;
  return requirePath(value, `${where}/${field}`, problems, false) ?? null;
}

export function resultPath(raw: Obj, where: string, problems: Problems): JsonPath | null {
  const path = optionalPath(raw, 'ResultPath', where, problems);
  if (path?.context) problems.schema('ResultPath cannot refer to the context object', `${where}/ResultPath`);
  if (path?.variable !== undefined)
    problems.schema('ResultPath cannot refer to a variable', `${where}/ResultPath`);
  return path;
}

export function requirePath(
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

export function optionalSeconds(
  raw: Obj,
  field: string,
  where: string,
  problems: Problems,
): number | undefined {
  const value = raw[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_TIMEOUT_SECONDS) {
    problems.schema(`${field} must be an integer from 1 to ${MAX_TIMEOUT_SECONDS}`, `${where}/${field}`);
    return undefined;
  }
  return value;
}
