// Bad command lines: unknown flags and bad values. The CLI prints the message
// with a pointer to --help and exits with code 2.
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A command line the CLI cannot run; the message is short and names the flag. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** `parseArgs` in strict mode with its errors turned into a short UsageError. */
type ParsedFlags<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: false }>
>['values'];

export function parseFlags<O extends Options>(argv: string[], options: O): ParsedFlags<O> {
  try {
    return parseArgs({
      args: joinNegativeValues(argv, options),
      options,
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    const message = (error as Error).message.split('\n')[0] ?? String(error);
    // node's messages end with advice on '--' that does not apply here.
    throw new UsageError(
      message
        .replace(/\. To specify a positional argument.*$/, '')
        .replace(/^Unknown option/, 'unknown option'),
    );
  }
}

/**
 * `--port -1` as `--port=-1`: parseArgs takes a value starting with '-' for an option and refuses it as
 * "ambiguous", where the user should hear the flag's range rule instead.
 */
function joinNegativeValues(argv: string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    const next = argv[i + 1];
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    if (
      name !== undefined &&
      options[name]?.type === 'string' &&
      next !== undefined &&
      /^-\d|^-\.\d/.test(next)
    ) {
      out.push(`${arg}=${next}`);
      i += 1;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** A number flag: absent → `fallback`; else it must be a number in [min, max] (and an integer when asked). */
export function numberFlag(
  flag: string,
  value: string | undefined,
  fallback: number,
  {
    min = 0,
    max = Number.MAX_SAFE_INTEGER,
    integer = false,
  }: { min?: number; max?: number; integer?: boolean } = {},
): number {
  if (value === undefined) return fallback;
  const number = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(number) || number < min || number > max || (integer && !Number.isInteger(number))) {
    const kind = integer ? 'an integer' : 'a number';
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`--${flag}: must be ${kind} ${range}, got '${value}'`);
  }
  return number;
}

/** An optional number flag: absent → undefined. */
export function optionalNumberFlag(
  flag: string,
  value: string | undefined,
  limits: { min?: number; max?: number; integer?: boolean } = {},
): number | undefined {
  return value === undefined ? undefined : numberFlag(flag, value, 0, limits);
}
