// A user's own state machine definition (`--definition my-machine.asl.json`): read it, find the activities
// its Task states name (in nested Map and Parallel graphs too), and point those ARNs at the emulator's.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { UsageError } from '../usage-error.js';
import { parseUserJson } from './json-text.js';

const ACTIVITY_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:activity:([^:\s]{1,80})$/;

export interface UserDefinition {
  /** From the file name: `my-machine.asl.json` → `my-machine`. */
  name: string;
  /** The definition with every activity ARN pointing at the emulator's activity of the same name. */
  definition: object;
  /** Activity names, in first-seen order. */
  activities: string[];
}

/** Reads and parses `path`; a missing file or bad JSON is a UsageError naming the flag and the file. */
export function loadUserDefinition(path: string, activityArn: (name: string) => string): UserDefinition {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--definition: cannot read '${path}': ${(error as Error).message}`);
  }
  const parsed = parseUserJson(text, '--definition', path);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(
      `--definition: '${path}' must hold a JSON object (an Amazon States Language definition)`,
    );
  }
  const activities: string[] = [];
  const definition = retarget(parsed, activities, activityArn) as object;
  const name =
    basename(path)
      .replace(/(\.asl)?\.json$/i, '')
      .replace(/[^A-Za-z0-9_-]/g, '-')
      .slice(0, 80) || 'machine';
  return { name, definition, activities };
}

/**
 * A copy of `value` in which each `Resource` that is an activity ARN names the emulator's activity of the
 * same name (the file may carry another account's or region's ARNs); collects those names.
 */
function retarget(value: unknown, activities: string[], activityArn: (name: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => retarget(item, activities, activityArn));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const match = key === 'Resource' && typeof inner === 'string' ? ACTIVITY_ARN.exec(inner) : null;
    if (match) {
      const name = match[1]!;
      if (!activities.includes(name)) activities.push(name);
      out[key] = activityArn(name);
    } else {
      out[key] = retarget(inner, activities, activityArn);
    }
  }
  return out;
}
