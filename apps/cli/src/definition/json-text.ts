// JSON the user wrote (a definition, an execution input), parsed with an error that says where it is wrong:
// Node 20's JSON.parse names the bad token but not its position, so jsonc-parser (VS Code's, kept by
// Microsoft) finds the offset, in strict mode (no comments, no trailing commas), only once JSON.parse failed.
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { UsageError } from '../usage-error.js';

/** `JSON.parse(text)`, or a UsageError `FLAG: 'path' is not JSON: … at line L, column C (position P)`. */
export function parseUserJson(text: string, flag: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${flag}: '${path}' is not JSON: ${whereWrong(text) ?? (error as Error).message}`);
  }
}

function whereWrong(text: string): string | undefined {
  const errors: ParseError[] = [];
  parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (first === undefined) return undefined;
  const before = text.slice(0, first.offset).split('\n');
  const line = before.length;
  const column = (before.at(-1)?.length ?? 0) + 1;
  const code = printParseErrorCode(first.error);
  const what = code === 'ValueExpected' && first.offset >= text.length ? 'unexpected end of the file' : code;
  return `${what} at line ${line}, column ${column} (position ${first.offset})`;
}
