// A stdout that closes under a running command (`sfn-bullmq dev | head -3`, or Ctrl-C taking a
// `| tee` down first) turns into a notice instead of an unhandled EPIPE that skips the drain.

const listeners = new Set<() => void>();
let closed = false;
let installed = false;

function isClosedPipe(error: NodeJS.ErrnoException): boolean {
  return error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED';
}

/** Installs the handler on process.stdout once. Other write errors stay fatal, as before. */
export function guardStdout(): void {
  if (installed) return;
  installed = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (!isClosedPipe(error)) throw error;
    if (closed) return;
    closed = true;
    for (const listener of listeners) listener();
  });
}

/** Calls `listener` once stdout's reader goes; returns a remover. */
export function onStdoutClosed(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** For a stream written straight to fd 1 (pino's sonic-boom): a closed pipe drops the lines. */
export function ignoreClosedPipe(stream: NodeJS.EventEmitter): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (!isClosedPipe(error)) throw error;
  });
}
