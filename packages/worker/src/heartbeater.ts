// Heartbeats of one running task: automatic every `intervalMs` since the last
// one, on request throttled to one per `minGapMs` and coalesced; never awaited by the handler.
import { isTaskGoneError, sfnErrorName } from '@sfn-bullmq/protocol';

export interface HeartbeaterOptions {
  /** Automatic heartbeat this long after the last one sent. */
  intervalMs: number;
  /** Requests within this gap after a heartbeat coalesce into one sent when the gap ends. */
  minGapMs: number;
  /** Sends one heartbeat (rejects with the client's error). */
  send: () => Promise<void>;
  /** The service said the task is gone (TaskTimedOut, TaskDoesNotExist, InvalidToken). Called once. */
  onGone: (error: unknown) => void;
  /** Any other failed heartbeat (throttled, network…); the next one tries again. */
  onError: (error: unknown) => void;
}

type HeartbeaterState = 'idle' | 'running' | 'stopped';

export class Heartbeater {
  private state: HeartbeaterState = 'idle';
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private startedAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | undefined;
  private pending = false;
  private flushTimer: NodeJS.Timeout | undefined;
  private autoTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: HeartbeaterOptions) {}

  /** Starts the automatic heartbeats; the first goes out `intervalMs` from now. */
  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'running';
    // The first request goes out at once (nothing was sent yet); the first automatic one a full interval on.
    this.startedAt = Date.now();
    this.scheduleAuto();
  }

  /** Asks for a heartbeat: sent now, or coalesced into the next one if one was sent under `minGapMs` ago. */
  request(): void {
    if (this.state !== 'running') return;
    this.pending = true;
    if (this.inFlight !== undefined || this.flushTimer !== undefined) return;
    const waitMs = this.lastSentAt + this.options.minGapMs - Date.now();
    if (waitMs <= 0) {
      this.sendNow();
      return;
    }
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      if (this.pending && this.inFlight === undefined) this.sendNow();
    }, waitMs);
    this.flushTimer.unref();
  }

  /**
   * Sends one heartbeat now and waits for it: 'alive', 'gone' when the task is closed, 'invalid-token'
   * when Step Functions refused the token itself. Errors otherwise.
   */
  async probe(): Promise<'alive' | 'gone' | 'invalid-token'> {
    try {
      this.lastSentAt = Date.now();
      await this.options.send();
      return 'alive';
    } catch (error) {
      if (sfnErrorName(error) === 'InvalidToken') return 'invalid-token';
      if (isTaskGoneError(error)) return 'gone';
      throw error;
    }
  }

  /** Stops all timers; a heartbeat in flight finishes but its answer is ignored. Idempotent. */
  stop(): void {
    this.state = 'stopped';
    this.pending = false;
    clearTimeout(this.flushTimer);
    clearTimeout(this.autoTimer);
    this.flushTimer = undefined;
    this.autoTimer = undefined;
  }

  private scheduleAuto(): void {
    clearTimeout(this.autoTimer);
    if (this.state !== 'running') return;
    const waitMs = Math.max(
      0,
      Math.max(this.lastSentAt, this.startedAt) + this.options.intervalMs - Date.now(),
    );
    this.autoTimer = setTimeout(() => {
      this.autoTimer = undefined;
      this.request();
    }, waitMs);
    this.autoTimer.unref();
  }

  private sendNow(): void {
    this.pending = false;
    this.lastSentAt = Date.now();
    clearTimeout(this.autoTimer);
    this.autoTimer = undefined;
    this.inFlight = this.options.send().then(
      () => undefined,
      (error: unknown) => {
        if (this.state !== 'running') return;
        if (isTaskGoneError(error)) {
          this.stop();
          this.options.onGone(error);
        } else {
          this.options.onError(error);
        }
      },
    );
    void this.inFlight.finally(() => {
      this.inFlight = undefined;
      if (this.state !== 'running') return;
      if (this.pending) this.request();
      this.scheduleAuto();
    });
  }
}
