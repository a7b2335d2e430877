// How deeply a JSON text nests, found by one loop over its characters so that any nesting the
// size limits allow can be measured without a recursive walk (which is what overflows the stack).

/**
 * The deepest nesting of arrays and objects the emulator accepts in execution input, task output and
 * state machine definitions. AWS documents sizes (262,144 bytes), not depths; within that size JSON can
 * nest about 131,000 levels, far beyond what a recursive walk such as `JSON.stringify` survives (about
 * 4,000 here). Our choice, *unconfirmed* against AWS: 1,000, the default `maxNestingDepth` of Jackson's
 * `StreamReadConstraints` (the JVM's common JSON parser), refused before anything reaches an execution.
 */
export const MAX_JSON_DEPTH = 1000;

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * True when `text` nests arrays and objects more than `maxDepth` deep. Meant for text that is valid JSON
 * (parse it first); brackets inside strings do not count.
 */
export function nestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === BACKSLASH) index += 1;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) {
      inString = true;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth -= 1;
    }
  }
  return false;
}
