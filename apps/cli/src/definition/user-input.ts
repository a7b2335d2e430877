// The input of the user's executions (`dev --definition … --input input.json`): read once and checked as
// JSON at start, so a typo is a clear error naming the file and the position, not a failed execution.
import { readFileSync } from 'node:fs';
import { UsageError } from '../usage-error.js';
import { parseUserJson } from './json-text.js';

/** The execution input as JSON text; `{}` without a file. Throws UsageError naming `--input` and the file. */
export function loadUserInput(path: string | undefined): string {
  if (path === undefined) return '{}';
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--input: cannot read '${path}': ${(error as Error).message}`);
  }
  // Step Functions takes any JSON value as input; compact it as StartExecution would store it.
  return JSON.stringify(parseUserJson(text, '--input', path));
}
