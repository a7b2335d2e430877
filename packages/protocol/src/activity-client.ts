// The four activity calls (GetActivityTask, SendTaskSuccess/Failure/Heartbeat) over
// undici with SigV4: a lean path for the calls made once per task, where the SDK's
// per-call middleware cost more CPU than everything else the bridge does per token.
//
// Why not the SDK's `client.send()`: profiled on the bridge, each call spent ~450 µs of CPU in
// serialization, endpoint rules, a new signer, retry and user-agent bookkeeping; these four
// operations are fixed JSON shapes on one endpoint. The SDK still resolves what it is best at
// (region, endpoint rules, the credential chain and its refresh) once per client, through its config.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SFNClient } from '@aws-sdk/client-sfn';
import {
  compileActivityClientOptions,
  sdkConnectionConfig,
  type ActivityClientOptions,
  type CompiledActivityClientOptions,
} from './activity-client-options.js';
import { SfnClientClosedError, SfnResponseError } from './sfn-call-errors.js';
import { ClockSkew, isRetryableCallError, retryDelayMs } from './retry-policy.js';
import { callErrorFromAnswer } from './error-answer.js';
import { HttpConnections } from './http-exchange.js';
import { resolveActivityTarget, type ActivityTarget } from './activity-target.js';
import type { SigningCredentials } from './sigv4.js';

/** What one GetActivityTask call gave: a token and input, or neither when the long poll ended empty. */
export interface PolledTask {
  taskToken?: string | undefined;
  input?: string | undefined;
}

const TARGET_PREFIX = 'AWSStepFunctions.';
const CONTENT_TYPE = 'application/x-amz-json-1.0';
const USER_AGENT = 'sfn-bullmq';
/**
 * A Step Functions client for the activity calls only. One per purpose: a polling client sized
 * above its polls (`createPollingActivityClient`), a send client apart from them
 * (`createSendActivityClient`), so polls can never starve a report (docs/aws-sdk.md#separate-clients-for-polls-and-reports).
 *
 * GetActivityTask is never retried and never aborted, and its timeout is at least 65 s: a retried,
 * aborted or timed-out poll is an abandoned poll, and a token handed to it is lost (docs/aws-sdk.md#timeouts-that-retry).
 */
export class SfnActivityClient {
  readonly options: CompiledActivityClientOptions;
  private readonly connections: HttpConnections;
  /** Resolves region, endpoint rules and credentials (with refresh); never sends a request. */
  private readonly resolver: SFNClient;
  private target: Promise<ActivityTarget> | undefined;
  private readonly clock = new ClockSkew();
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing: Promise<void> | undefined;

  constructor(options: ActivityClientOptions) {
    this.options = compileActivityClientOptions(options);
    this.connections = new HttpConnections(this.options.maxSockets);
    this.resolver = new SFNClient(sdkConnectionConfig(this.options));
  }

  /** One long poll. No retry, no abort, no timeout under 65 s. */
  async getActivityTask(request: { activityArn: string; workerName?: string }): Promise<PolledTask> {
    const output = await this.call('GetActivityTask', request, this.options.pollRequestTimeoutMs, 1);
    const { taskToken, input } = output as { taskToken?: unknown; input?: unknown };
    return {
      // `{}` and `{"taskToken":null}` both mean "no task" (docs/step-functions.md#long-polls).
      taskToken: typeof taskToken === 'string' ? taskToken : undefined,
      input: typeof input === 'string' ? input : undefined,
    };
  }

  async sendTaskSuccess(request: { taskToken: string; output: string }): Promise<void> {
    await this.send('SendTaskSuccess', request);
  }

  async sendTaskFailure(request: { taskToken: string; error?: string; cause?: string }): Promise<void> {
    await this.send('SendTaskFailure', request);
  }

  async sendTaskHeartbeat(request: { taskToken: string }): Promise<void> {
    await this.send('SendTaskHeartbeat', request);
  }

  /**
   * Refuses new calls, waits for those in flight (a poll up to its timeout), then closes the sockets.
   * `force` closes the sockets at once, abandoning calls in flight: the caller's choice, never ours.
   * Idempotent; a forced call during a graceful close cuts its wait short.
   */
  close(options: { force?: boolean } = {}): Promise<void> {
    if (options.force === true) void this.destroySockets();
    this.closing ??= Promise.allSettled([...this.inFlight]).then(() => this.destroySockets());
    return this.closing;
  }

  private async destroySockets(): Promise<void> {
    this.resolver.destroy();
    await this.connections.destroy();
  }

  private send(operation: string, request: object): Promise<unknown> {
    return this.call(operation, request, this.options.requestTimeoutMs, this.options.maxAttempts);
  }

  private call(operation: string, request: object, timeoutMs: number, maxAttempts: number): Promise<unknown> {
    if (this.closing !== undefined) {
      return Promise.reject(new SfnClientClosedError(`${operation}: the Step Functions client is closed`));
    }
    const call = this.callWithRetries(operation, JSON.stringify(request), timeoutMs, maxAttempts);
    this.inFlight.add(call);
    const forget = (): void => {
      this.inFlight.delete(call);
    };
    call.then(forget, forget);
    return call;
  }

  private async callWithRetries(
    operation: string,
    body: string,
    timeoutMs: number,
    maxAttempts: number,
  ): Promise<unknown> {
    const invocationId = randomUUID();
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.attempt(operation, body, timeoutMs, invocationId, attempt, maxAttempts);
      } catch (error) {
        if (attempt >= maxAttempts || !isRetryableCallError(error) || this.closing !== undefined) throw error;
        await sleep(retryDelayMs(attempt, error));
      }
    }
  }

  private async attempt(
    operation: string,
    body: string,
    timeoutMs: number,
    invocationId: string,
    attempt: number,
    maxAttempts: number,
  ): Promise<unknown> {
    const target = await this.resolveTarget();
    const credentials = (await this.resolver.config.credentials()) as SigningCredentials;
    const headers: Record<string, string> = {
      'content-type': CONTENT_TYPE,
      'x-amz-target': TARGET_PREFIX + operation,
    };
    const signed = target.signer.sign(
      { host: target.host, path: target.path, headers, body },
      credentials,
      this.clock.now(),
    );
    const response = await this.connections.exchange({
      target,
      headers: {
        ...headers,
        ...signed,
        host: target.host,
        'content-length': String(Buffer.byteLength(body)),
        'user-agent': USER_AGENT,
        'amz-sdk-invocation-id': invocationId,
        'amz-sdk-request': `attempt=${attempt}; max=${maxAttempts}`,
      },
      body,
      timeoutMs,
      operation,
    });
    if (response.status >= 200 && response.status < 300) {
      if (response.body.length === 0) return {};
      try {
        return JSON.parse(response.body) as unknown;
      } catch {
        throw new SfnResponseError(
          `${operation}: HTTP ${response.status} with a body that is not JSON (${response.body.length} characters)`,
        );
      }
    }
    const error = callErrorFromAnswer(response, attempt);
    this.clock.note(error.name, response.date);
    throw error;
  }

  private resolveTarget(): Promise<ActivityTarget> {
    if (this.target === undefined) {
      const target = resolveActivityTarget(this.resolver.config, this.options.endpoint);
      this.target = target;
      // A failed lookup (no region yet) is tried again by the next call, not cached.
      target.catch(() => {
        if (this.target === target) this.target = undefined;
      });
    }
    return this.target;
  }
}
