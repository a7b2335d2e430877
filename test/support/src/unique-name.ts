import { randomUUID } from 'node:crypto';

/** A name no other test uses: `<prefix>-<uuid>`, safe for queues, activities and executions (no ':'). */
export function uniqueName(prefix = 'test'): string {
  return `${prefix}-${randomUUID()}`;
}
