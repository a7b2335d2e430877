// The one shape of an invalid-option error across the packages: the option's path,
// the value given and the rule it breaks, so apps report and recognise them alike.

/** One broken rule: the option's path (`activities[1].polls`), the value given, the rule. */
export interface OptionIssue {
  option: string;
  value: unknown;
  rule: string;
}

/** The shape every invalid-option error has, ours or the emulator's (which imports nothing of ours). */
export interface InvalidOptionShape extends Error, OptionIssue {
  /** Every issue found, the first being `option`/`value`/`rule`; absent when only one was looked for. */
  readonly issues?: readonly OptionIssue[];
}

/** Shows a value in a message: strings quoted, objects as JSON, never throwing. */
export function showOptionValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) {
    return String(value);
  }
  if (typeof value === 'function') return 'a function';
  try {
    const text = JSON.stringify(value) ?? typeof value;
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** `${option}: ${rule}, got ${value}`, the one line an issue reads as. */
export function formatOptionIssue(issue: OptionIssue): string {
  return `${issue.option}: ${issue.rule}, got ${showOptionValue(issue.value)}`;
}

/**
 * Base of the invalid-option errors (`InvalidBridgeOptionError`, `InvalidWorkerOptionError`…): each
 * subclass sets a literal `name`. With several `issues` the message lists them all, one a line.
 */
export class InvalidOptionError extends TypeError implements InvalidOptionShape {
  override readonly name: string = 'InvalidOptionError';
  readonly option: string;
  readonly value: unknown;
  readonly rule: string;
  readonly issues: readonly OptionIssue[];

  constructor(option: string, value: unknown, rule: string, more: readonly OptionIssue[] = []) {
    const issues = [{ option, value, rule }, ...more];
    super(
      issues.length === 1
        ? formatOptionIssue({ option, value, rule })
        : `${issues.length} invalid options:\n${issues.map((issue) => `  ${formatOptionIssue(issue)}`).join('\n')}`,
    );
    this.option = option;
    this.value = value;
    this.rule = rule;
    this.issues = issues;
  }

  /** One error for several issues (at least one), so a caller fixes them all in one go. */
  static fromIssues<E extends InvalidOptionError>(
    this: new (option: string, value: unknown, rule: string, more?: readonly OptionIssue[]) => E,
    issues: readonly OptionIssue[],
  ): E {
    const [first, ...more] = issues;
    if (first === undefined) throw new RangeError('fromIssues needs at least one issue');
    return new this(first.option, first.value, first.rule, more);
  }
}

/**
 * True for an invalid-option error of any of our packages, by name and shape rather than `instanceof`:
 * the packages are dual ESM/CJS builds, and the emulator's error does not extend this class.
 */
export function isInvalidOptionError(error: unknown): error is InvalidOptionShape {
  if (!(error instanceof Error)) return false;
  const { option, rule } = error as Partial<OptionIssue>;
  return (
    /^Invalid\w*OptionError$/.test(error.name) &&
    typeof option === 'string' &&
    typeof rule === 'string' &&
    'value' in error
  );
}
