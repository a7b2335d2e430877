// The JSONPath subset the engine understands: `$`, `$.a.b`, `$.a[0]`, `$['a']`, and `$$…` for the
// context object. Reads never throw; writes copy containers along the path so shared values stay intact.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

type PathSegment = string | number;

export interface JsonPath {
  readonly text: string;
  /** True for `$$…` paths, which read the context object instead of the state's input. */
  readonly context: boolean;
  /** Set for `$name…` paths, which read the workflow variable `name` (docs/step-functions.md#variables). */
  readonly variable?: string | undefined;
  readonly segments: readonly PathSegment[];
}

const IDENT = /^[^.[\]\s'"*?@()]+/;

/** Parses a path of the supported subset, or returns undefined. */
export function parseJsonPath(text: string): JsonPath | undefined {
  let rest: string;
  let context = false;
  let variable: string | undefined;
  const named = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(text);
  if (named) {
    variable = named[1];
    rest = text.slice(named[0].length);
  } else if (text.startsWith('$$')) {
    context = true;
    rest = text.slice(2);
  } else if (text.startsWith('$')) {
    rest = text.slice(1);
  } else {
    return undefined;
  }
  const segments: PathSegment[] = [];
  while (rest.length > 0) {
    if (rest.startsWith('.')) {
      const m = IDENT.exec(rest.slice(1));
      if (!m) return undefined;
      segments.push(m[0]);
      rest = rest.slice(1 + m[0].length);
    } else if (rest.startsWith('[')) {
      const index = /^\[(\d+)\]/.exec(rest);
      const quoted = /^\['([^']*)'\]/.exec(rest);
      if (index?.[1] !== undefined) {
        segments.push(Number(index[1]));
        rest = rest.slice(index[0].length);
      } else if (quoted?.[1] !== undefined) {
        segments.push(quoted[1]);
        rest = rest.slice(quoted[0].length);
      } else {
        return undefined;
      }
    } else {
      return undefined;
    }
  }
  return { text, context, variable, segments };
}

export type PathLookup = { found: true; value: JsonValue } | { found: false };

export function readPath(root: JsonValue, path: JsonPath): PathLookup {
  let value: JsonValue = root;
  for (const segment of path.segments) {
    if (typeof segment === 'number') {
      if (!Array.isArray(value) || segment >= value.length) return { found: false };
      value = value[segment] as JsonValue;
    } else {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return { found: false };
      if (!Object.prototype.hasOwnProperty.call(value, segment)) return { found: false };
      value = value[segment] as JsonValue;
    }
  }
  return { found: true, value };
}

/**
 * Returns `root` with `value` placed at `path` (ResultPath semantics): missing objects on the way are created;
 * containers on the path are copied, never mutated, because parts of an input may also sit inside a result.
 * Returns undefined when the path crosses a scalar or an array index out of range.
 */
export function writePath(root: JsonValue, path: JsonPath, value: JsonValue): JsonValue | undefined {
  return writeAt(root, path.segments, 0, value);
}

function writeAt(
  node: JsonValue | undefined,
  segments: readonly PathSegment[],
  depth: number,
  value: JsonValue,
): JsonValue | undefined {
  if (depth === segments.length) return value;
  const segment = segments[depth] as PathSegment;
  if (typeof segment === 'number') {
    if (!Array.isArray(node) || segment >= node.length) return undefined;
    const inner = writeAt(node[segment], segments, depth + 1, value);
    if (inner === undefined) return undefined;
    const copy = node.slice();
    copy[segment] = inner;
    return copy;
  }
  if (node === undefined) node = {};
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
  const inner = writeAt(
    Object.prototype.hasOwnProperty.call(node, segment) ? node[segment] : undefined,
    segments,
    depth + 1,
    value,
  );
  if (inner === undefined) return undefined;
  return { ...node, [segment]: inner };
}
