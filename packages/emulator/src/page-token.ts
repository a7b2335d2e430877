// Opaque page tokens for the list operations (activities, state machines, executions): a position in an
// insertion-ordered list.
// The nextToken field itself (a string of 1–1024 characters) is checked by the RequestValidator.

import { serviceErrors } from './service-error.js';

export function encodePageToken(position: number): string {
  return Buffer.from(JSON.stringify({ p: position })).toString('base64url');
}

/** The position a token stands for; `InvalidToken` for one this emulator did not issue. */
export function decodePageToken(token: string): number {
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
