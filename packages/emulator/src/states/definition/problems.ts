// Collecting definition problems: every problem found, so one InvalidDefinition lists them all as AWS does.

export type Obj = Record<string, unknown>;

export function isObject(value: unknown): value is Obj {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Collects every problem so one refusal lists them all, like AWS does. */
export class Problems {
  readonly list: string[] = [];
  schema(message: string, where: string): void {
    this.list.push(`SCHEMA_VALIDATION_FAILED: ${message} at ${where}`);
  }
  add(code: string, message: string, where: string): void {
    this.list.push(`${code}: ${message} at ${where}`);
  }
}

/** Refuses fields outside `allowed`; also checks Comment, allowed almost everywhere, once for all. */
export function unknownFields(raw: Obj, allowed: readonly string[], where: string, problems: Problems): void {
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) {
      problems.schema(`The field "${key}" is not supported by Step Functions`, `${where}/${key}`);
    } else if (key === 'Comment' && typeof raw[key] !== 'string') {
      problems.schema('The field "Comment" must be a string', `${where}/Comment`);
    }
  }
}
