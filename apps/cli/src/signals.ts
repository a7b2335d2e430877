// Signal handling for the long-running commands: the first SIGINT/SIGTERM asks
// for a graceful stop, a second one forces it. Only the app touches `process`.

export interface SignalHandlers {
  /** Called once, on the first signal. */
  graceful(signal: NodeJS.Signals): void;
  /** Called on every later signal. */
  force(signal: NodeJS.Signals): void;
}

/**
 * Signals this close after the first are the same Ctrl-C reaching us twice: under `pnpm dev` the
 * terminal signals the whole process group and pnpm forwards its own copy to its child as well.
 */
const SAME_STOP_MS = 500;

/** Installs the handlers; returns a function that removes them. */
export function onStopSignals(handlers: SignalHandlers): () => void {
  let firstAt: number | undefined;
  const listener = (signal: NodeJS.Signals) => {
    const now = Date.now();
    if (firstAt === undefined) {
      firstAt = now;
      handlers.graceful(signal);
    } else if (now - firstAt >= SAME_STOP_MS) {
      handlers.force(signal);
    }
  };
  process.on('SIGINT', listener);
  process.on('SIGTERM', listener);
  return () => {
    process.off('SIGINT', listener);
    process.off('SIGTERM', listener);
  };
}

/** A promise that resolves on the first stop signal, plus the remover. */
export function waitForStopSignal(onForce: (signal: NodeJS.Signals) => void): {
  stopped: Promise<NodeJS.Signals>;
  dispose: () => void;
} {
  let resolve!: (signal: NodeJS.Signals) => void;
  const stopped = new Promise<NodeJS.Signals>((r) => (resolve = r));
  const dispose = onStopSignals({ graceful: resolve, force: onForce });
  return { stopped, dispose };
}
