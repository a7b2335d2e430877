// What a handler's return value or thrown error becomes on the wire, within
// Step Functions' limits: output ≤ 262,144 bytes, error ≤ 256 and cause ≤ 32,768 characters.
import { InvalidJobError, SFN_LIMITS } from '@sfn-bullmq/protocol';
import { isActivityFailure } from './activity-failure.js';

/** The outcome of a task as stored on the job before it is sent, so a later attempt can re-send it. */
export type StoredOutcome =
  { kind: 'success'; output: string } | { kind: 'failure'; error: string; cause: string };

/**
 * Checks an outcome read back from a job (an earlier attempt's, or an edit): a damaged one throws
 * `InvalidJobError` for `sfnOutcome` instead of being sent as if the handler had produced it.
 */
export function parseStoredOutcome(value: unknown): StoredOutcome | undefined {
  if (value === undefined) return undefined;
  const outcome = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (outcome['kind'] === 'success' && typeof outcome['output'] === 'string') return value as StoredOutcome;
  if (
    outcome['kind'] === 'failure' &&
    typeof outcome['error'] === 'string' &&
    typeof outcome['cause'] === 'string'
  ) {
    return value as StoredOutcome;
  }
  throw new InvalidJobError(
    'sfnOutcome',
    "must be absent, { kind: 'success', output: string } or { kind: 'failure', error: string, cause: string }",
    value,
  );
}

/** The `error` reported when the output is over 262,144 bytes of UTF-8. */
export const OUTPUT_TOO_LARGE_ERROR = 'SfnBullmq.OutputTooLarge';
/** The `error` reported when the output cannot be serialised to JSON (BigInt, cycles). */
export const OUTPUT_NOT_JSON_ERROR = 'SfnBullmq.OutputNotJson';
/** The `error` reported for tasks whose worker was force-closed, when `failOnForcedClose` is on. */
export const WORKER_SHUTDOWN_ERROR = 'SfnBullmq.WorkerShutdown';

/** The `cause` of a failure, serialised as JSON (the shape Lambda uses for errors, so tools read it). */
export interface FailureCause {
  errorMessage: string;
  errorType: string;
  stackTrace: string[];
}

/** Serialises a handler's result; too large or not serialisable becomes a failure, so the execution never hangs. */
export function successOutcome(result: unknown): StoredOutcome {
  let output: string | undefined;
  try {
    output = JSON.stringify(result);
  } catch (error) {
    return failureOutcomeOf(
      OUTPUT_NOT_JSON_ERROR,
      `The handler's result cannot be serialised to JSON: ${textOf(error)}`,
      [],
    );
  }
  // `undefined` (a handler that returns nothing) has no JSON text; null is the closest valid output.
  output ??= 'null';
  const bytes = Buffer.byteLength(output, 'utf8');
  if (bytes > SFN_LIMITS.outputMaxBytes) {
    return failureOutcomeOf(
      OUTPUT_TOO_LARGE_ERROR,
      `The handler's output is ${bytes} bytes of UTF-8; SendTaskSuccess accepts at most ${SFN_LIMITS.outputMaxBytes}.`,
      [],
    );
  }
  return { kind: 'success', output };
}

/** The `error` reported when what the handler threw cannot even be read (a proxy whose every trap throws). */
export const UNREADABLE_ERROR = 'SfnBullmq.UnreadableError';

/**
 * A thrown value as a failure: `error` from `ActivityFailure.type` or the error's name; `cause` as JSON.
 * Total: whatever was thrown (a name that is not a string, a circular message, getters or proxies that
 * throw), a failure comes out, so the task is always reported.
 */
export function failureOutcome(thrown: unknown): StoredOutcome {
  try {
    return describeThrown(thrown);
  } catch {
    return failureOutcomeOf(UNREADABLE_ERROR, 'The handler threw a value that cannot be read.', []);
  }
}

function describeThrown(thrown: unknown): StoredOutcome {
  if (isActivityFailure(thrown)) {
    return failureOutcomeOf(errorNameOf(thrown.type), textOf(thrown.message), stackLines(thrown.stack));
  }
  if (thrown instanceof Error) {
    return failureOutcomeOf(errorNameOf(thrown.name), textOf(thrown.message), stackLines(thrown.stack));
  }
  return failureOutcomeOf('Error', textOf(thrown), []);
}

/** A usable Step Functions error name: a non-empty string, else 'Error'. */
function errorNameOf(name: unknown): string {
  return typeof name === 'string' && name !== '' ? name : 'Error';
}

/** A failure with the given error name and message, within the limits. */
export function failureOutcomeOf(
  errorType: string,
  errorMessage: string,
  stackTrace: string[],
): StoredOutcome {
  const error = truncateChars(errorType, SFN_LIMITS.errorMaxChars);
  const cause = serialiseCause({ errorMessage, errorType: error, stackTrace }, SFN_LIMITS.causeMaxChars);
  return { kind: 'failure', error, cause };
}

/**
 * Serialises a cause to at most `maxChars` UTF-16 code units (so at most that many characters, however
 * counted). The fields are cut, never the JSON text: first stack lines from the end, then the message.
 */
export function serialiseCause(cause: FailureCause, maxChars: number): string {
  let text = JSON.stringify(cause);
  if (text.length <= maxChars) return text;
  // Keep as many stack lines (each cut to 1,000 characters) as fit with the message dropped to 1,000.
  const message = truncateChars(cause.errorMessage, 1_000);
  const lines: string[] = [];
  for (const line of cause.stackTrace) {
    const candidate = [...lines, truncateChars(line, 1_000)];
    if (JSON.stringify({ ...cause, errorMessage: message, stackTrace: candidate }).length > maxChars) break;
    lines.push(candidate[candidate.length - 1] as string);
  }
  // Then give the message as much of the remaining room as fits, found by bisection on its length.
  const build = (length: number): string =>
    JSON.stringify({ ...cause, errorMessage: truncateChars(cause.errorMessage, length), stackTrace: lines });
  let low = 0;
  let high = cause.errorMessage.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (build(mid).length <= maxChars) low = mid;
    else high = mid - 1;
  }
  text = build(low);
  if (text.length <= maxChars) return text;
  // Only a giant errorType is left (it is already ≤ 256 when it comes from failureOutcomeOf).
  return JSON.stringify({ errorMessage: '', errorType: truncateChars(cause.errorType, 256), stackTrace: [] });
}

/**
 * Cuts a string to at most `maxChars` UTF-16 code units, never between the two halves of a surrogate
 * pair (a character outside the BMP), and marks the cut with '…'.
 */
export function truncateChars(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  if (maxChars <= 0) return '';
  let end = maxChars - 1; // room for the ellipsis
  const last = text.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end -= 1; // a high surrogate: keep its pair together
  return `${text.slice(0, end)}…`;
}

function stackLines(stack: unknown): string[] {
  if (typeof stack !== 'string') return [];
  // The first line repeats name and message; the frames are what a stack trace adds.
  return stack
    .split('\n')
    .slice(1)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** The longest text made of a value for a cause or a log (the cause is cut to 32,768 later anyway). */
const MAX_TEXT_CHARS = 40_000;

/**
 * A value as text, best effort and never throwing: a string as it is, else JSON (cycles and BigInt
 * written out), else `String()`, else its type.
 */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    if (value instanceof Error && typeof value.message === 'string') return value.message;
  } catch {
    // a proxy: try the other ways
  }
  try {
    const seen = new WeakSet<object>();
    const json = JSON.stringify(value, (_key, inner: unknown) => {
      if (typeof inner === 'bigint') return `${inner}n`;
      if (typeof inner === 'object' && inner !== null) {
        if (seen.has(inner)) return '[Circular]';
        seen.add(inner);
      }
      return inner;
    });
    if (json !== undefined) return truncateChars(json, MAX_TEXT_CHARS);
  } catch {
    // toJSON or a getter threw: try String()
  }
  try {
    return truncateChars(String(value), MAX_TEXT_CHARS);
  } catch {
    return `[unprintable ${typeof value}]`;
  }
}
