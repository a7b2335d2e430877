// The app's pino logger: JSON lines to stdout, or to a file (dev mode keeps the
// terminal for its progress line).
import { pino, type Logger } from 'pino';
import type { LogLevel } from './config/service-config.js';
import { ignoreClosedPipe } from './stdout-guard.js';

export function createLogger(level: LogLevel, destination?: string): Logger {
  const stream =
    destination === undefined
      ? pino.destination({ fd: 1, sync: true })
      : pino.destination({ dest: destination, sync: true, mkdir: true });
  // `sfn-bullmq bridge | head`: once the reader is gone the lines are lost, but the service goes on.
  if (destination === undefined) ignoreClosedPipe(stream);
  return pino({ level, base: { service: 'sfn-bullmq' } }, stream);
}
