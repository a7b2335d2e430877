// A pino logger whose lines are kept, parsed, so a test can read what an operator would see.
import { pino, type Logger } from 'pino';

/** One parsed log line: pino's `level` (number) and `msg`, plus whatever fields the caller bound. */
export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** pino's numeric levels, for assertions on `line.level`. */
export const LOG_LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;

/** A pino logger at `level` whose lines land, parsed, in `lines`. */
export function capturingLogger(level = 'debug'): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino({ level }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  return { logger, lines };
}
