// The call syntax of intrinsic functions in JSONPath states — `States.Format('{} x', $.a, States.UUID())` —
// parsed once at definition time. Arguments: quoted strings (\' \\ \{ \} escapes), numbers, true/false/null,
// paths ($… or $$…) and nested calls. AWS: https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html
import type { JsonPath, JsonValue } from '../json-path.js';
import { parseJsonPath } from '../json-path.js';
import { INTRINSIC_ARITY } from './intrinsic-functions.js';

type IntrinsicArg =
  /** `template` (strings only): the text with `\{` and `\}` still escaped, for States.Format. */
  | { kind: 'literal'; value: JsonValue; template?: string }
  | { kind: 'path'; path: JsonPath }
  | { kind: 'call'; call: IntrinsicCall };

export interface IntrinsicCall {
  readonly name: string;
  readonly args: readonly IntrinsicArg[];
}

/** True when a `.$` value is meant as a call rather than a path. */
export function looksLikeIntrinsic(text: string): boolean {
  return /^States\.[A-Za-z0-9]+\s*\(/.test(text);
}

/** Parses `text`; returns the reason it is not a supported call instead of throwing. */
export function parseIntrinsic(text: string): IntrinsicCall | string {
  const parser = new Parser(text);
  try {
    const call = parser.call();
    parser.skipSpace();
    if (!parser.atEnd()) return `unexpected '${text.slice(parser.position)}' after the call`;
    return call;
  } catch (err) {
    return err instanceof SyntaxError ? err.message : String(err);
  }
}

class Parser {
  position = 0;
  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.position >= this.text.length;
  }

  skipSpace(): void {
    while (!this.atEnd() && /\s/.test(this.text[this.position]!)) this.position++;
  }

  call(): IntrinsicCall {
    this.skipSpace();
    const match = /^States\.[A-Za-z0-9]+/.exec(this.text.slice(this.position));
    if (!match) throw new SyntaxError(`expected a function name (States.…) at position ${this.position}`);
    const name = match[0];
    this.position += name.length;
    const arity = INTRINSIC_ARITY[name];
    if (!arity) throw new SyntaxError(`the function ${name} does not exist`);
    this.skipSpace();
    this.expect('(');
    const args: IntrinsicArg[] = [];
    this.skipSpace();
    if (this.text[this.position] === ')') {
      this.position++;
    } else {
      for (;;) {
        args.push(this.arg());
        this.skipSpace();
        const next = this.text[this.position];
        this.position++;
        if (next === ')') break;
        if (next !== ',') throw new SyntaxError(`expected ',' or ')' in the arguments of ${name}`);
      }
    }
    const [min, max] = arity;
    if (args.length < min || args.length > max) {
      const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
      throw new SyntaxError(`${name} takes ${expected} arguments, got ${args.length}`);
    }
    return { name, args };
  }

  private expect(char: string): void {
    if (this.text[this.position] !== char) {
      throw new SyntaxError(`expected '${char}' at position ${this.position}`);
    }
    this.position++;
  }

  private arg(): IntrinsicArg {
    this.skipSpace();
    const rest = this.text.slice(this.position);
    const char = rest[0];
    if (char === "'") return { kind: 'literal', ...this.string() };
    if (char === '$') {
      // A path runs to the next ',' or ')' outside brackets and quotes.
      let end = 0;
      let depth = 0;
      let quoted = false;
      while (end < rest.length) {
        const c = rest[end]!;
        if (c === "'") quoted = !quoted;
        else if (!quoted && c === '[') depth++;
        else if (!quoted && c === ']') depth--;
        else if (!quoted && depth === 0 && (c === ',' || c === ')')) break;
        end++;
      }
      const pathText = rest.slice(0, end).trim();
      const path = parseJsonPath(pathText);
      if (!path) throw new SyntaxError(`'${pathText}' is not a supported JSONPath`);
      this.position += end;
      return { kind: 'path', path };
    }
    if (rest.startsWith('States.')) return { kind: 'call', call: this.call() };
    const literal = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(rest);
    if (literal) {
      this.position += literal[0].length;
      return { kind: 'literal', value: JSON.parse(literal[0]) as JsonValue };
    }
    throw new SyntaxError(`unexpected argument at position ${this.position}`);
  }

  /** A single-quoted string; `\` escapes the next character (\' \\ \{ \} as AWS documents them). */
  private string(): { value: string; template: string } {
    this.position++;
    let value = '';
    let template = '';
    while (!this.atEnd()) {
      const c = this.text[this.position]!;
      if (c === '\\') {
        const next = this.text[this.position + 1];
        if (next === undefined) break;
        value += next;
        // States.Format must tell an escaped brace from a placeholder's.
        template += next === '{' || next === '}' ? `\\${next}` : next;
        this.position += 2;
        continue;
      }
      if (c === "'") {
        this.position++;
        return { value, template };
      }
      value += c;
      template += c;
      this.position++;
    }
    throw new SyntaxError('unterminated string');
  }
}
