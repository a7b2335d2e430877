// Field checks for the state-machine operations' request bodies, answering ValidationException (or the
// modelled error) with messages in AWS's shape that name the field.

import { serviceErrors } from '../service-error.js';

type Body = Record<string, unknown>;

function constraint(field: string, value: string | number | undefined, rule: string): Error {
  const shown = value === undefined ? 'null' : `'${value}'`;
  return serviceErrors.validation(
    `1 validation error detected: Value ${shown} at '${field}' failed to satisfy constraint: ${rule}`,
  );
}

export function requiredString(body: Body, field: string, maxLength: number): string {
  const value = body[field];
  if (value === undefined || value === null) throw constraint(field, undefined, 'Member must not be null');
  return checkString(field, value, maxLength);
}

export function optionalString(body: Body, field: string, maxLength: number): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  return checkString(field, value, maxLength);
}

function checkString(field: string, value: unknown, maxLength: number): string {
  if (typeof value !== 'string') throw serviceErrors.serialization(`Field '${field}' must be a string`);
  if (value.length < 1) throw constraint(field, value, 'Member must have length greater than or equal to 1');
  if (value.length > maxLength) {
    throw constraint(field, '…', `Member must have length less than or equal to ${maxLength}`);
  }
  return value;
}

export function optionalBoolean(body: Body, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw serviceErrors.serialization(`Field '${field}' must be a boolean`);
  return value;
}

/** `maxResults`: 0–1000, where 0 (or absent) means the default page size. */
export function pageSize(body: Body, defaultSize = 100): number {
  const value = body['maxResults'];
  if (value === undefined || value === null) return defaultSize;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw serviceErrors.serialization(`Field 'maxResults' must be an integer`);
  }
  if (value < 0 || value > 1000) {
    throw constraint('maxResults', value, 'Member must have value less than or equal to 1000');
  }
  return value === 0 ? defaultSize : value;
}

// Names of state machines and executions (AWS: 1–80 characters, no whitespace, brackets, wildcards,
// special characters or control characters).
const BAD_NAME = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/u;

export function checkResourceName(name: string): void {
  if (name.length > 80 || BAD_NAME.test(name)) throw serviceErrors.invalidName(name);
}

/** Opaque page tokens: a position in an insertion-ordered list. */
export function encodePageToken(position: number): string {
  return Buffer.from(JSON.stringify({ p: position })).toString('base64url');
}

export function decodePageToken(body: Body): number | undefined {
  const token = body['nextToken'];
  if (token === undefined || token === null) return undefined;
  if (typeof token !== 'string' || token.length > 1024) throw serviceErrors.invalidToken();
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (parsed !== null && typeof parsed === 'object' && 'p' in parsed) {
      const position = parsed.p;
      if (typeof position === 'number' && Number.isInteger(position) && position >= 0) return position;
    }
  } catch {
    // falls through to InvalidToken
  }
  throw serviceErrors.invalidToken();
}
