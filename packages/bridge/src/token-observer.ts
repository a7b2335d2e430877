// The narrow interface tracing watches a token's way into Redis through (docs/observability.md): told when
// a poll brought a token and when it left (stored or reported). With none configured nothing here runs.

/** What an observer learns when a poll returns a token. */
export interface ReceivedToken {
  readonly activityArn: string;
  readonly queueName: string;
  /** The job id the token becomes (`jobIdForToken`). */
  readonly jobId: string;
  /** When the poll that brought it was opened, epoch ms. */
  readonly pollStartedAt: number;
  /** When the poll returned it, epoch ms (the job's `receivedAt`). */
  readonly receivedAt: number;
}

/** One token's way into Redis as an observer watches it. */
export interface TokenObservation {
  /** Stored in the job's `traceContext`, so the worker's spans join this trace (W3C fields). */
  readonly traceContext?: Record<string, string>;
  /** Once, when the token left: stored as a job after `attempts` adds, or reported failed (not stored in time, or on close). */
  settled(how: 'stored' | 'reported', attempts: number): void;
}

export interface TokenObserver {
  tokenReceived(token: ReceivedToken): TokenObservation | undefined;
}
