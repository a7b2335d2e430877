// The dev mode's live progress: one line rewritten in place on a terminal,
// or a plain line every few seconds when the output is a pipe or a file.
import type { Writable } from 'node:stream';

export interface ProgressSnapshot {
  elapsedMs: number;
  started: number;
  succeeded: number;
  declined: number;
  failed: number;
  running: number;
  waiting: number;
  active: number;
  openPolls: number;
}

function formatProgress(s: ProgressSnapshot): string {
  const seconds = Math.floor(s.elapsedMs / 1000);
  return (
    `${seconds}s  executions: ${s.started} started, ${s.succeeded} succeeded (${s.declined} declined, handled), ` +
    `${s.failed} failed, ${s.running} running | tasks: ${s.waiting} waiting, ${s.active} active | polls open: ${s.openPolls}`
  );
}

/** The same, short enough for an 80-column terminal line. */
function formatCompactProgress(s: ProgressSnapshot): string {
  const seconds = Math.floor(s.elapsedMs / 1000);
  return (
    `${seconds}s  exec ${s.started} started, ${s.succeeded} ok (${s.declined} declined), ${s.failed} failed, ` +
    `${s.running} running | tasks ${s.waiting} waiting, ${s.active} active | polls ${s.openPolls}`
  );
}

/** How often a plain (not in-place) line is written. */
const PLAIN_INTERVAL_MS = 2_000;

export class ProgressDisplay {
  private timer: NodeJS.Timeout | undefined;
  private lastLength = 0;
  private readonly tty: boolean;

  constructor(
    private readonly out: Writable & { isTTY?: boolean; columns?: number },
    private readonly snapshot: () => Promise<ProgressSnapshot>,
  ) {
    this.tty = out.isTTY === true;
  }

  start(): void {
    this.timer = setInterval(() => void this.render(), this.tty ? 250 : PLAIN_INTERVAL_MS);
  }

  /** Stops refreshing and ends the in-place line so later output starts on its own line. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.render();
    if (this.tty) this.out.write('\n');
  }

  /** Writes a message above the progress line. */
  message(text: string): void {
    if (this.tty && this.lastLength > 0) this.out.write('\r\x1b[2K');
    this.out.write(`${text}\n`);
    this.lastLength = 0;
  }

  private rendering = false;

  private async render(): Promise<void> {
    if (this.rendering) return;
    this.rendering = true;
    try {
      const snapshot = await this.snapshot();
      if (this.tty) {
        const line = formatCompactProgress(snapshot);
        const width = Math.max(20, (this.out.columns ?? 120) - 1);
        const shown = line.length > width ? `${line.slice(0, width - 1)}…` : line;
        this.out.write(`\r\x1b[2K${shown}`);
        this.lastLength = shown.length;
      } else {
        this.out.write(`${formatProgress(snapshot)}\n`);
      }
    } catch {
      // A snapshot that fails (Redis gone while stopping) just skips a frame.
    } finally {
      this.rendering = false;
    }
  }
}
