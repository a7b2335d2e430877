import { describe, expect, it } from 'vitest';
import type { JsonPath } from './json-path.js';
import { parseJsonPath, readPath, writePath } from './json-path.js';

function path(text: string): JsonPath {
  const parsed = parseJsonPath(text);
  if (!parsed) throw new Error(`not a path: ${text}`);
  return parsed;
}

describe('JSONPath subset', () => {
  it('parses $, dotted names, indices and quoted names', () => {
    expect(path('$').segments).toEqual([]);
    expect(path('$.a.b').segments).toEqual(['a', 'b']);
    expect(path("$.a[0]['c d']").segments).toEqual(['a', 0, 'c d']);
    expect(path('$$.Execution.Id')).toMatchObject({ context: true, segments: ['Execution', 'Id'] });
  });

  it('refuses what it does not support', () => {
    for (const text of ['a', '$..a', '$.a[*]', '$.a[?(@.b)]', '$.', '$[-1]'])
      expect(parseJsonPath(text)).toBeUndefined();
  });

  it('reads values and reports missing ones', () => {
    const doc = { a: { b: [1, { c: null }] } };
    expect(readPath(doc, path('$.a.b[1].c'))).toEqual({ found: true, value: null });
    expect(readPath(doc, path('$.a.x'))).toEqual({ found: false });
    expect(readPath(doc, path('$.a.b[5]'))).toEqual({ found: false });
  });

  it('writes by copying the containers on the path, leaving the original intact', () => {
    const doc = { a: { keep: 1 }, other: [1] };
    const out = writePath(doc, path('$.a.new.deep'), 'v');
    expect(out).toEqual({ a: { keep: 1, new: { deep: 'v' } }, other: [1] });
    expect(doc).toEqual({ a: { keep: 1 }, other: [1] });
    expect(writePath(doc, path('$'), 5)).toBe(5);
    expect(writePath({ a: 1 }, path('$.a.b'), 5)).toBeUndefined();
  });
});
