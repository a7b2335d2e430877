// When dev stops: the first Ctrl-C/SIGTERM, the end of --duration-s, or a closed stdout (`| head -3`)
// ask for a graceful stop (no new executions, the running ones finish); a second signal forces it.
import { onStopSignals } from '../signals.js';
import { onStdoutClosed } from '../stdout-guard.js';

export interface DevStopHandlers {
  /** Told on the first signal, before the stop is requested. */
  onSignal(signal: NodeJS.Signals): void;
  /** A later signal: stop at once. */
  onForce(): void;
}

/** The stop request, from the moment dev starts; `dispose()` removes its handlers. */
export class DevStop {
  private stopRequested = false;
  private forcedStop = false;
  private wake: () => void = () => undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly stopped: Promise<void>;
  private readonly disposers: Array<() => void>;

  constructor(handlers: DevStopHandlers) {
    this.stopped = new Promise<void>((resolve) => {
      this.wake = () => {
        this.stopRequested = true;
        resolve();
      };
    });
    this.disposers = [
      // Nobody reads our output any more: stop as on Ctrl-C, draining all the same.
      onStdoutClosed(() => this.wake()),
      onStopSignals({
        graceful: (signal) => {
          handlers.onSignal(signal);
          this.wake();
        },
        force: () => {
          this.forcedStop = true;
          handlers.onForce();
        },
      }),
    ];
  }

  /** True once a stop was asked for. */
  get requested(): boolean {
    return this.stopRequested;
  }

  /** True once a second signal asked to stop at once. */
  get forced(): boolean {
    return this.forcedStop;
  }

  /** Resolves when a stop is asked for, or after `durationS` seconds when given. */
  async wait(durationS: number | undefined): Promise<void> {
    if (durationS !== undefined) this.timer = setTimeout(() => this.wake(), durationS * 1000);
    await this.stopped;
    this.clearTimer();
  }

  dispose(): void {
    this.clearTimer();
    for (const dispose of this.disposers.splice(0)) dispose();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
