// Retry and Catch: retriers with their backoff fields, catchers with their Next and ResultPath.
import { MAX_TIMEOUT_SECONDS, resultPath } from './fields.js';
import type { Obj, Problems } from './problems.js';
import { isObject, unknownFields } from './problems.js';
import { CATCHER_FIELDS, RETRIER_FIELDS } from './state-fields.js';
import { optionalJsonata, parseAssign, refuseJsonPathFields } from './query-fields.js';
import type { Catcher, QueryLanguage, Retrier } from './types.js';

function errorEquals(raw: Obj, where: string, last: boolean, problems: Problems): string[] {
  const list = raw['ErrorEquals'];
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    !list.every((e) => typeof e === 'string' && e.length > 0)
  ) {
    problems.schema('ErrorEquals must be a non-empty array of error names', `${where}/ErrorEquals`);
    return [];
  }
  const names = list as string[];
  if (names.includes('States.ALL') && (names.length > 1 || !last)) {
    problems.schema(
      'States.ALL must appear alone in ErrorEquals and in the last retrier or catcher',
      `${where}/ErrorEquals`,
    );
  }
  return names;
}

export function parseRetry(raw: unknown, where: string, problems: Problems): Retrier[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    problems.schema('Retry must be an array', where);
    return [];
  }
  return raw.flatMap((item: unknown, i): Retrier[] => {
    const at = `${where}[${i}]`;
    if (!isObject(item)) {
      problems.schema('A retrier must be an object', at);
      return [];
    }
    unknownFields(item, RETRIER_FIELDS, at, problems);
    const number = (field: string, fallback: number, check: (n: number) => boolean, rule: string): number => {
      const value = item[field];
      if (value === undefined) return fallback;
      if (typeof value !== 'number' || !check(value)) {
        problems.schema(`${field} must be ${rule}`, `${at}/${field}`);
        return fallback;
      }
      return value;
    };
    const jitter = item['JitterStrategy'];
    if (jitter !== undefined && jitter !== 'FULL' && jitter !== 'NONE') {
      problems.schema('JitterStrategy must be FULL or NONE', `${at}/JitterStrategy`);
    }
    const maxDelay = item['MaxDelaySeconds'];
    return [
      {
        errorEquals: errorEquals(item, at, i === raw.length - 1, problems),
        intervalSeconds: number(
          'IntervalSeconds',
          1,
          (n) => Number.isInteger(n) && n >= 1 && n <= MAX_TIMEOUT_SECONDS,
          'a positive integer',
        ),
        maxAttempts: number(
          'MaxAttempts',
          3,
          (n) => Number.isInteger(n) && n >= 0 && n <= MAX_TIMEOUT_SECONDS,
          'a non-negative integer',
        ),
        backoffRate: number('BackoffRate', 2, (n) => n >= 1, 'a number of at least 1.0'),
        maxDelaySeconds:
          maxDelay === undefined
            ? undefined
            : number(
                'MaxDelaySeconds',
                0,
                (n) => Number.isInteger(n) && n >= 1 && n <= 31_622_400,
                'an integer from 1 to 31622400',
              ),
        jitter: jitter === 'FULL' ? 'FULL' : 'NONE',
      },
    ];
  });
}

export function parseCatch(
  raw: unknown,
  where: string,
  problems: Problems,
  language: QueryLanguage = 'JSONPath',
): Catcher[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    problems.schema('Catch must be an array', where);
    return [];
  }
  return raw.flatMap((item: unknown, i): Catcher[] => {
    const at = `${where}[${i}]`;
    if (!isObject(item)) {
      problems.schema('A catcher must be an object', at);
      return [];
    }
    const jsonata = language === 'JSONata';
    unknownFields(item, [...CATCHER_FIELDS, 'Assign', ...(jsonata ? ['Output'] : [])], at, problems);
    if (jsonata) refuseJsonPathFields(item, at, problems);
    const next = item['Next'];
    if (typeof next !== 'string') {
      problems.schema('These fields are required: [Next]', at);
      return [];
    }
    return [
      {
        errorEquals: errorEquals(item, at, i === raw.length - 1, problems),
        next,
        resultPath: jsonata ? null : resultPath(item, at, problems),
        output: jsonata ? optionalJsonata(item, 'Output', at, problems) : undefined,
        assign: parseAssign(item, language, at, problems),
      },
    ];
  });
}
