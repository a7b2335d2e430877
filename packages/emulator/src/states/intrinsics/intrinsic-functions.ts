// The intrinsic functions of JSONPath states, as AWS documents them
// (https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html). A bad argument raises
// IntrinsicFailure, which the runner turns into the States.IntrinsicFailure error.
import { createHash, randomUUID } from 'node:crypto';
import type { JsonObject, JsonValue } from '../json-path.js';

/** A bad argument to an intrinsic function; the message names the function and what was wrong. */
export class IntrinsicFailure extends Error {
  override readonly name = 'IntrinsicFailure';
}

/** The documented input limit of the string functions (Base64Encode/Decode, Hash). */
const MAX_STRING_CHARS = 10_000;
/** ArrayRange: "the resulting array can't contain more than 1000 items". */
const MAX_RANGE_ITEMS = 1_000;
const HASH_ALGORITHMS: Record<string, string> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

/** Arguments each function takes: [min, max]. Parsing checks the count; the functions check the types. */
export const INTRINSIC_ARITY: Readonly<Record<string, readonly [number, number]>> = {
  'States.Format': [1, Infinity],
  'States.StringToJson': [1, 1],
  'States.JsonToString': [1, 1],
  'States.Array': [0, Infinity],
  'States.ArrayPartition': [2, 2],
  'States.ArrayContains': [2, 2],
  'States.ArrayRange': [3, 3],
  'States.ArrayGetItem': [2, 2],
  'States.ArrayLength': [1, 1],
  'States.ArrayUnique': [1, 1],
  'States.Base64Encode': [1, 1],
  'States.Base64Decode': [1, 1],
  'States.Hash': [2, 2],
  'States.JsonMerge': [3, 3],
  'States.MathRandom': [2, 3],
  'States.MathAdd': [2, 2],
  'States.StringSplit': [2, 2],
  'States.UUID': [0, 0],
};

/** Runs function `name` on evaluated `args`; `formatTemplate` is States.Format's first argument as written. */
export function callIntrinsic(
  name: string,
  args: readonly JsonValue[],
  formatTemplate: string | undefined,
): JsonValue {
  const fail = (rule: string): never => {
    throw new IntrinsicFailure(`Invalid arguments in ${name}: ${rule}`);
  };
  const string = (i: number, what: string): string =>
    typeof args[i] === 'string' ? args[i] : fail(`${what} must be a string`);
  const array = (i: number): JsonValue[] =>
    Array.isArray(args[i]) ? args[i] : fail('the first argument must be an array');
  const integer = (i: number, what: string): number =>
    typeof args[i] === 'number' && Number.isInteger(args[i]) ? args[i] : fail(`${what} must be an integer`);
  const limited = (text: string): string =>
    text.length > MAX_STRING_CHARS ? fail(`the input is over ${MAX_STRING_CHARS} characters`) : text;

  switch (name) {
    case 'States.Format': {
      const template = formatTemplate ?? string(0, 'the template');
      if (typeof args[0] !== 'string') fail('the template must be a string');
      const values = args.slice(1);
      let next = 0;
      let out = '';
      for (let i = 0; i < template.length; i++) {
        const c = template[i];
        if (c === '\\' && (template[i + 1] === '{' || template[i + 1] === '}')) {
          out += template[++i];
        } else if (c === '{' && template[i + 1] === '}') {
          if (next >= values.length) fail('the template has more {} placeholders than arguments');
          const value = values[next++]!;
          if (value !== null && typeof value === 'object')
            fail('arguments must be strings, numbers, booleans or null');
          out += typeof value === 'string' ? value : JSON.stringify(value);
          i++;
        } else {
          out += c;
        }
      }
      if (next !== values.length) fail('the template has fewer {} placeholders than arguments');
      return out;
    }
    case 'States.StringToJson':
      try {
        return JSON.parse(string(0, 'the argument')) as JsonValue;
      } catch {
        return fail('the argument is not JSON text');
      }
    case 'States.JsonToString':
      return JSON.stringify(args[0]);
    case 'States.Array':
      return [...args];
    case 'States.ArrayPartition': {
      const items = array(0);
      const size = integer(1, 'the chunk size');
      if (size < 1) fail('the chunk size must be positive');
      const out: JsonValue[] = [];
      for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
      return out;
    }
    case 'States.ArrayContains':
      return array(0).some((item) => deepEqual(item, args[1]!));
    case 'States.ArrayRange': {
      const start = integer(0, 'the start');
      const end = integer(1, 'the end');
      const step = integer(2, 'the step');
      if (step === 0) fail('the step must not be 0');
      const count = Math.max(0, Math.floor((end - start) / step) + 1);
      if (count > MAX_RANGE_ITEMS) fail(`the range would hold more than ${MAX_RANGE_ITEMS} items`);
      return Array.from({ length: count }, (_, i) => start + i * step);
    }
    case 'States.ArrayGetItem': {
      const items = array(0);
      const index = integer(1, 'the index');
      if (index < 0 || index >= items.length) fail(`the index ${index} is out of bounds`);
      return items[index]!;
    }
    case 'States.ArrayLength':
      return array(0).length;
    case 'States.ArrayUnique': {
      const out: JsonValue[] = [];
      for (const item of array(0)) if (!out.some((seen) => deepEqual(seen, item))) out.push(item);
      return out;
    }
    case 'States.Base64Encode':
      return Buffer.from(limited(string(0, 'the argument')), 'utf8').toString('base64');
    case 'States.Base64Decode': {
      const text = limited(string(0, 'the argument'));
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) fail('the argument is not base64');
      return Buffer.from(text, 'base64').toString('utf8');
    }
    case 'States.Hash': {
      const data = args[0];
      const text = limited(typeof data === 'string' ? data : JSON.stringify(data));
      const algorithm = HASH_ALGORITHMS[string(1, 'the algorithm')];
      if (!algorithm) fail(`the algorithm must be one of ${Object.keys(HASH_ALGORITHMS).join(', ')}`);
      return createHash(algorithm!).update(text, 'utf8').digest('hex');
    }
    case 'States.JsonMerge': {
      const [a, b, deep] = args;
      if (!isObject(a) || !isObject(b)) fail('the first two arguments must be JSON objects');
      // AWS documents the deep merge flag and supports only false (a shallow merge).
      if (deep !== false) fail('the third argument must be false (only shallow merges are supported)');
      return { ...(a as JsonObject), ...(b as JsonObject) };
    }
    case 'States.MathRandom': {
      const start = integer(0, 'the start');
      const end = integer(1, 'the end');
      if (end <= start) fail('the end must be greater than the start');
      const seed = args.length > 2 ? integer(2, 'the seed') : undefined;
      const random = seed === undefined ? Math.random() : seeded(seed);
      return start + Math.floor(random * (end - start));
    }
    case 'States.MathAdd':
      return integer(0, 'the first argument') + integer(1, 'the second argument');
    case 'States.StringSplit': {
      const text = string(0, 'the first argument');
      const delimiters = string(1, 'the delimiter');
      // *Unconfirmed*: each character of the second argument is a delimiter, and empty pieces are dropped
      // (the documented examples split "1,2,3,4,5" on "," and "This.is+a,test=string" on ".+,=").
      const pieces: string[] = [];
      let current = '';
      for (const c of text) {
        if (delimiters.includes(c)) {
          if (current !== '') pieces.push(current);
          current = '';
        } else {
          current += c;
        }
      }
      if (current !== '') pieces.push(current);
      return pieces;
    }
    case 'States.UUID':
      return randomUUID();
    default:
      return fail('no such function');
  }
}

function isObject(value: JsonValue | undefined): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function deepEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]!));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  const bo = b as JsonObject;
  return ka.length === kb.length && ka.every((k) => k in bo && deepEqual((a as JsonObject)[k]!, bo[k]!));
}

/** A number in [0, 1) from `seed` (mulberry32), so that a seeded MathRandom repeats. */
function seeded(seed: number): number {
  let t = (seed + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
