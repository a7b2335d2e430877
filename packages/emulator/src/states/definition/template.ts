// Parameters / ResultSelector / ItemSelector templates: literals, with `"key.$": "<path>"` entries read per run.
import { looksLikeIntrinsic, parseIntrinsic } from '../intrinsics/intrinsic-call.js';
import { requirePath } from './fields.js';
import type { Obj, Problems } from './problems.js';
import { isObject } from './problems.js';
import type { Template } from './types.js';
import type { JsonValue } from '../json-path.js';

export function optionalTemplate(
  raw: Obj,
  field: string,
  where: string,
  problems: Problems,
): Template | undefined {
  if (!Object.prototype.hasOwnProperty.call(raw, field)) return undefined;
  return parseTemplate(raw[field], `${where}/${field}`, problems);
}

export function parseTemplate(value: unknown, where: string, problems: Problems): Template {
  if (Array.isArray(value)) {
    return { kind: 'array', items: value.map((item, i) => parseTemplate(item, `${where}[${i}]`, problems)) };
  }
  if (!isObject(value)) return { kind: 'literal', value: value as JsonValue };
  const entries: (readonly [string, Template])[] = [];
  for (const [key, inner] of Object.entries(value)) {
    if (key.endsWith('.$')) {
      const target = `${where}/${key}`;
      if (typeof inner === 'string' && looksLikeIntrinsic(inner)) {
        const call = parseIntrinsic(inner);
        if (typeof call === 'string') {
          problems.schema(
            `The value for the field '${key}' must be a valid intrinsic function call: ${call}`,
            target,
          );
        } else {
          entries.push([key.slice(0, -2), { kind: 'intrinsic', call }]);
        }
        continue;
      }
      const path = requirePath(inner, target, problems, true);
      if (path) entries.push([key.slice(0, -2), { kind: 'path', path }]);
    } else {
      entries.push([key, parseTemplate(inner, `${where}/${key}`, problems)]);
    }
  }
  return { kind: 'object', entries };
}
