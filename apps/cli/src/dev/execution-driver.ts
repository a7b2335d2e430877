// Starts sample executions at a steady rate and follows them to their end
// with DescribeExecution, so the counts are the service's, not a guess.
import { randomUUID } from 'node:crypto';
import {
  DescribeExecutionCommand,
  StartExecutionCommand,
  type DescribeExecutionCommandOutput,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { Logger } from 'pino';
import { isDeclinedOutput, sampleInput } from './sample-state-machine.js';

export interface ExecutionCounts {
  started: number;
  succeeded: number;
  /** Succeeded through the CardDeclined catch. */
  declined: number;
  failed: number;
  timedOut: number;
  aborted: number;
  /** Started and not yet seen ending. */
  running: number;
}

export interface ExecutionDriverOptions {
  client: SFNClient;
  stateMachineArn: string;
  /** Executions started per second; 0 starts none. */
  ratePerSecond: number;
  declineRate: number;
  logger: Logger;
  /** The input of execution `n` as JSON; by default the sample's (see sample-state-machine.ts). */
  input?: (n: number) => string;
  /** Start no more than this many. @default unbounded */
  maxExecutions?: number;
  /** Told of each execution that ended, with its DescribeExecution answer. */
  onEnd?: (execution: DescribeExecutionCommandOutput) => void;
  /** Told of each StartExecution that failed (it is logged, and not retried). */
  onStartError?: (error: unknown) => void;
}

/** Most DescribeExecution calls per check, and how often a check runs. */
const DESCRIBE_BATCH = 100;
const CHECK_INTERVAL_MS = 500;

export class ExecutionDriver {
  /** Executions started and not yet seen ending. */
  private readonly pending = new Set<string>();
  /** `running` is the size of `pending`, so it is not counted here. */
  private readonly counts: Omit<ExecutionCounts, 'running'> = {
    started: 0,
    succeeded: 0,
    declined: 0,
    failed: 0,
    timedOut: 0,
    aborted: 0,
  };
  private startTimer: NodeJS.Timeout | undefined;
  private checkTimer: NodeJS.Timeout | undefined;
  private startsInFlight = 0;
  private checking = false;
  private firstStartAt = 0;
  private attempted = 0;
  private readonly runId = randomUUID().slice(0, 8);

  constructor(private readonly options: ExecutionDriverOptions) {}

  stats(): ExecutionCounts {
    return { ...this.counts, running: this.pending.size };
  }

  start(): void {
    this.firstStartAt = Date.now();
    if (this.options.ratePerSecond > 0) this.startTimer = setInterval(() => this.startDue(), 50);
    this.checkTimer = setInterval(() => void this.check(), CHECK_INTERVAL_MS);
  }

  /** No new executions from now on; the running ones are still followed. */
  stopStarting(): void {
    if (this.startTimer !== undefined) clearInterval(this.startTimer);
    this.startTimer = undefined;
  }

  /** Waits until every started execution has ended, or `timeoutMs` passed; true when all ended. */
  async settle(timeoutMs: number, cancelled: () => boolean = () => false): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while ((this.pending.size > 0 || this.startsInFlight > 0) && Date.now() < deadline && !cancelled()) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return this.pending.size === 0 && this.startsInFlight === 0;
  }

  close(): void {
    this.stopStarting();
    if (this.checkTimer !== undefined) clearInterval(this.checkTimer);
    this.checkTimer = undefined;
  }

  private startDue(): void {
    const due = Math.min(
      Math.floor(((Date.now() - this.firstStartAt) / 1000) * this.options.ratePerSecond) + 1,
      this.options.maxExecutions ?? Number.POSITIVE_INFINITY,
    );
    // Never pile up more than a few hundred StartExecution calls if the service is slow.
    while (this.attempted < due && this.startsInFlight < 200) {
      this.attempted += 1;
      void this.startOne(this.attempted);
    }
  }

  private async startOne(n: number): Promise<void> {
    this.startsInFlight += 1;
    try {
      const result = await this.options.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.options.stateMachineArn,
          name: `dev-${this.runId}-${n}`,
          input: this.options.input?.(n) ?? JSON.stringify(sampleInput(n, this.options.declineRate)),
        }),
      );
      if (result.executionArn !== undefined) this.pending.add(result.executionArn);
      this.counts.started += 1;
    } catch (error) {
      this.options.logger.warn({ err: error }, 'StartExecution failed');
      this.options.onStartError?.(error);
    } finally {
      this.startsInFlight -= 1;
    }
  }

  private async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const batch = [...this.pending].slice(0, DESCRIBE_BATCH);
      await Promise.all(batch.map((arn) => this.describe(arn)));
    } finally {
      this.checking = false;
    }
  }

  private async describe(executionArn: string): Promise<void> {
    try {
      const result = await this.options.client.send(new DescribeExecutionCommand({ executionArn }));
      switch (result.status) {
        case 'SUCCEEDED':
          this.counts.succeeded += 1;
          if (isDeclinedOutput(result.output)) this.counts.declined += 1;
          break;
        case 'FAILED':
          this.counts.failed += 1;
          this.options.logger.warn(
            { executionArn, error: result.error, cause: result.cause },
            'execution failed',
          );
          break;
        case 'TIMED_OUT':
          this.counts.timedOut += 1;
          break;
        case 'ABORTED':
          this.counts.aborted += 1;
          break;
        default:
          return;
      }
      this.pending.delete(executionArn);
      this.options.onEnd?.(result);
    } catch (error) {
      this.options.logger.debug({ err: error, executionArn }, 'DescribeExecution failed');
    }
  }
}
