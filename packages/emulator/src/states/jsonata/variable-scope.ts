// Workflow variables (`Assign`): one scope per graph run. A Map iteration or a Parallel branch gets a child
// scope that reads its parent's variables and keeps its own assignments to itself (docs/step-functions.md#variables).
import type { JsonObject, JsonValue, PathLookup } from '../json-path.js';

export class VariableScope {
  private readonly own = new Map<string, JsonValue>();

  constructor(private readonly parent?: VariableScope) {}

  child(): VariableScope {
    return new VariableScope(this);
  }

  lookup(name: string): PathLookup {
    const value = this.own.get(name);
    if (value !== undefined) return { found: true, value };
    return this.parent ? this.parent.lookup(name) : { found: false };
  }

  /** Every visible variable, inner ones shadowing outer ones: the bindings of a JSONata expression. */
  all(): JsonObject {
    const out: JsonObject = this.parent ? this.parent.all() : {};
    for (const [name, value] of this.own) out[name] = value;
    return out;
  }

  /** Applies one state's assignments together, after all of them were evaluated against the values at entry. */
  assign(values: JsonObject): void {
    for (const [name, value] of Object.entries(values)) this.own.set(name, value);
  }
}
