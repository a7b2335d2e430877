// What a handler threw, in forms pino and BullMQ can always handle: pino's serializer reads every
// field and the cause chain, so a throwing getter or proxy would make the log call throw instead of logging.
import { stdSerializers } from 'pino';
import { textOf } from './task-outcome.js';

/** The error itself when pino's serializer reads it without throwing; else `{ description }`. */
export function loggableError(thrown: unknown): unknown {
  try {
    if (thrown instanceof Error) {
      stdSerializers.errWithCause(thrown);
      return thrown;
    }
  } catch {
    // fall through to the description
  }
  return { description: textOf(thrown) };
}

/**
 * The error to throw for a BullMQ retry: the handler's own when it is an ordinary Error (BullMQ keeps
 * its message and stack), else an Error describing it (BullMQ reads `message` and `stack`).
 */
export function retryError(thrown: unknown): Error {
  try {
    if (thrown instanceof Error && typeof thrown.message === 'string') return thrown;
  } catch {
    // a proxy: describe it
  }
  return new Error(textOf(thrown));
}
