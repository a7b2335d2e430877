// The user's worker module (`dev --worker path/to/worker.js`): its default export, or its export named
// `handlers`, maps each activity name to a handler `(input, context) => output`. ESM and CommonJS both load.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ActivityHandler } from '@sfn-bullmq/worker';
import { UsageError } from '../usage-error.js';

export type UserHandlers = Map<string, ActivityHandler>;

/** Loads the module and picks a handler per activity; a missing file or handler is a UsageError naming it. */
export async function loadUserHandlers(path: string, activities: readonly string[]): Promise<UserHandlers> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`--worker: cannot load '${path}': ${(error as Error).message}`);
  }
  const table = handlerTable(module);
  if (table === undefined) {
    throw new UsageError(
      `--worker: '${path}' must export an object mapping activity name to handler, ` +
        `as its default export or as 'handlers'`,
    );
  }
  const handlers: UserHandlers = new Map();
  const missing: string[] = [];
  for (const name of activities) {
    const handler = table[name];
    if (typeof handler === 'function') handlers.set(name, handler as ActivityHandler);
    else missing.push(name);
  }
  if (missing.length > 0) {
    throw new UsageError(
      `--worker: '${path}' has no handler for ${missing.map((name) => `'${name}'`).join(', ')} ` +
        `(the definition's activities: ${activities.join(', ')}; it exports: ${Object.keys(table).join(', ') || 'nothing'})`,
    );
  }
  return handlers;
}

/**
 * `export const handlers`, else `export default`; from CommonJS, `module.exports` arrives as the default,
 * so `module.exports = { … }` and `module.exports.handlers = { … }` both work.
 */
function handlerTable(module: Record<string, unknown>): Record<string, unknown> | undefined {
  const fallback = module['default'];
  const candidates = [module['handlers'], isObject(fallback) ? fallback['handlers'] : undefined, fallback];
  return candidates.find(isObject);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
