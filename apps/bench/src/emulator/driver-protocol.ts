// Messages between the emulator throughput benchmark and its SDK-driving child process.

export interface DriveCommand {
  type: 'drive';
  endpoint: string;
  region: string;
  activityArn: string;
  /** Concurrent poll → SendTaskSuccess loops. */
  pollers: number;
  durationMs: number;
  /** `sdk`: @aws-sdk/client-sfn, as workers call it; `http`: bare awsJson requests, so the driver costs little. */
  driver: 'sdk' | 'http';
  /** When set, the child also starts executions of this machine, keeping `maxInFlight` running. */
  stateMachineArn?: string;
  starters?: number;
  maxInFlight?: number;
}

export interface DriveResult {
  type: 'result';
  /** SendTaskSuccess calls answered 200 within the window. */
  completed: number;
  /** StartExecution calls answered within the window. */
  started: number;
  /** Calls that failed (any error), by error name. */
  errors: Record<string, number>;
  elapsedMs: number;
  /** CPU time (user + system) the driver process used during the window, in microseconds. */
  cpuMicros: number;
}

export type ChildMessage = DriveResult | { type: 'ready' };
