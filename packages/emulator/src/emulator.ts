// The emulator: an HTTP server speaking awsJson1_0 as Step Functions does, routing
// each operation to the task broker (activities, tasks) or the state-machine engine.
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ActivityBroker } from './activity-broker.js';
import { PollAnswer, activityOperations } from './activity-operations.js';
import { NO_RESPONSE, type OperationHandler } from './operation.js';
import {
  compileEmulatorOptions,
  type CompiledEmulatorOptions,
  type EmulatorOptions,
} from './emulator-options.js';
import { compileFaults, InvalidFaultError, type EmulatorFaults } from './faults.js';
import { answerTooLarge, headerValue, parseBody, writeJson } from './http-wire.js';
import { RequestTooLargeError, readRequestBody } from './request-body.js';
import { ServiceError, serviceErrors } from './service-error.js';
import type { ActivityTaskOutcome } from './task-scheduler.js';
import { StateMachineService } from './states/index.js';
import { summarizeStats, type EmulatorStats, type ExecutionStats } from './emulator-stats.js';
import { Throttler } from './throttle.js';

const TARGET_PREFIX = 'AWSStepFunctions.';

export type { EmulatorStats, ExecutionStats };

/** `idle` until `listen()`; `failed` when listening fails (port taken); `closing` → `closed` on close(). */
export type EmulatorState = 'idle' | 'starting' | 'running' | 'closing' | 'closed' | 'failed';

/**
 * Emits 'stateChange' (the new `EmulatorState`) on each change, and 'taskHeartbeat'
 * (`{ taskToken, activityArn, at }`) for each SendTaskHeartbeat accepted.
 */

export class Emulator extends EventEmitter {
  readonly region: string;
  readonly accountId: string;
  private endpointUrl = '';
  private readonly options: CompiledEmulatorOptions;
  private readonly broker: ActivityBroker;
  private readonly operations: Map<string, OperationHandler>;
  private readonly server: Server;
  private readonly throttler: Throttler | undefined;
  private currentFaults: EmulatorFaults;
  private readonly engine: StateMachineService;
  private currentState: EmulatorState = 'idle';
  private closing: Promise<void> | undefined;
  private readonly counts = { requests: 0, throttled: 0, injectedErrors: 0, internalErrors: 0 };

  /** Use `startEmulator()`; the constructor does not listen. */
  constructor(options: EmulatorOptions = {}) {
    super();
    this.options = compileEmulatorOptions(options);
    this.region = this.options.region;
    this.accountId = this.options.accountId;
    this.currentFaults = this.options.faults;
    this.broker = new ActivityBroker({
      region: this.region,
      accountId: this.accountId,
      pollTimeoutMs: this.options.pollTimeoutMs,
      maxPollsPerActivity: this.options.maxPollsPerActivity,
      faults: () => this.currentFaults,
      // 'taskHeartbeat' per accepted heartbeat, so tests count them per token (nothing is kept here).
      onHeartbeat: (heartbeat) => this.emit('taskHeartbeat', heartbeat),
    });
    this.throttler = this.options.throttle === undefined ? undefined : new Throttler(this.options.throttle);
    for (const name of this.options.activities) this.broker.createActivity(name);
    // The engine schedules its activity Tasks on the broker; one table routes each operation to either.
    this.engine = new StateMachineService({
      region: this.region,
      accountId: this.accountId,
      scheduler: this.broker,
      onInternalError: () => {
        this.counts.internalErrors += 1;
      },
    });
    this.operations = new Map<string, OperationHandler>([
      ...this.engine.operations,
      ...activityOperations(this.broker),
    ]);
    const { requestTimeoutMs, headersTimeoutMs } = this.options;
    this.server = createServer(
      {
        keepAliveTimeout: 120_000,
        // Node counts requestTimeout only until the request is fully received, so a long poll (whose
        // request arrives at once and whose response is held) is never cut by it; a body that trickles is.
        requestTimeout: requestTimeoutMs,
        headersTimeout: headersTimeoutMs,
        // How often Node looks for requests past those deadlines (its default, 30 s, would let a trickle
        // outlive requestTimeoutMs by up to that much).
        connectionsCheckingInterval: Math.max(
          10,
          Math.min(1000, Math.floor(Math.min(headersTimeoutMs, requestTimeoutMs || Infinity) / 4)),
        ),
      },
      (request, response) => {
        this.handle(request, response).catch(() => {
          // handle() answers every error itself; this only guards a write on a dead socket.
          response.destroy();
        });
      },
    );
    this.server.maxConnections = Infinity;
  }

  get state(): EmulatorState {
    return this.currentState;
  }

  /** `http://host:port`, once listening. */
  get endpoint(): string {
    return this.endpointUrl;
  }

  /** The ARN an activity of this name has here, whether or not it exists. */
  activityArn(name: string): string {
    return this.broker.activityArn(name);
  }

  /** Creates the activity if needed (idempotent) and returns its ARN. */
  createActivity(name: string): string {
    return this.broker.createActivity(name).activityArn;
  }

  /** True when the activity exists now (DeleteActivity removes it at once). */
  hasActivity(activityArn: string): boolean {
    return this.broker.hasActivity(activityArn);
  }

  /**
   * Opens `count` polls in-process, without HTTP, whose answers are discarded: each takes
   * a waiting task (which then counts as started and waits for its timeout) or waits like
   * any poll. For benchmarks that need many started tasks quickly; the broker stays private.
   */
  openDiscardingPolls(activityArn: string, count: number, workerName = 'holder'): void {
    const sink = { answer: () => undefined, drop: () => undefined };
    for (let index = 0; index < count; index += 1) this.broker.poll(activityArn, workerName, sink);
  }

  /** Schedules a task with no state machine behind it, for tests and benchmarks. */
  scheduleTask(
    activityArn: string,
    input = '{}',
    options: { timeoutSeconds?: number; heartbeatSeconds?: number } = {},
  ): { outcome: Promise<ActivityTaskOutcome> } {
    if (!this.broker.hasActivity(activityArn)) throw serviceErrors.activityDoesNotExist(activityArn);
    const outcome = new Promise<ActivityTaskOutcome>((resolve) => {
      this.broker.schedule(
        { activityArn, input, ...options },
        { onStarted: () => undefined, onClosed: resolve },
      );
    });
    return { outcome };
  }

  stats(): EmulatorStats {
    return summarizeStats(this.broker.stats(), this.engine.stats(), {
      openTasks: this.broker.openTaskCount,
      ...this.counts,
    });
  }

  faults(): EmulatorFaults {
    return { ...this.currentFaults };
  }

  /** Changes faults at run time; throws `InvalidFaultError` (a TypeError) naming the bad field. */
  setFaults(faults: Partial<EmulatorFaults>): EmulatorFaults {
    this.currentFaults = compileFaults(faults, this.currentFaults);
    return this.faults();
  }

  /** Starts listening; resolves once the endpoint is known. */
  async listen(): Promise<void> {
    this.setState('starting');
    try {
      await new Promise<void>((resolve, reject) => {
        this.server.once('error', reject);
        this.server.listen(this.options.port, this.options.host, () => {
          this.server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      this.setState('failed');
      throw error;
    }
    const address = this.server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.endpointUrl = `http://${host}:${address.port}`;
    this.setState('running');
  }

  /** Idempotent: answers open polls `{}`, stops every clock and the engine, closes the server. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.setState('closing');
    const failures: unknown[] = [];
    const step = (action: () => void): void => {
      try {
        action();
      } catch (error) {
        failures.push(error);
      }
    };
    step(() => this.broker.close());
    step(() => this.engine.close());
    // Let the empty answers go out before the sockets are cut.
    await new Promise<void>((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => {
      if (!this.server.listening) {
        resolve();
        return;
      }
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
      setTimeout(() => this.server.closeAllConnections(), 50).unref();
    });
    this.setState('closed');
    if (failures.length > 0) throw new AggregateError(failures, 'emulator close failed in part');
  }

  private setState(next: EmulatorState): void {
    if (next === this.currentState) return;
    this.currentState = next;
    this.emit('stateChange', next);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/_emulator/stats' || path === '/_emulator/faults') {
      await this.handleIntrospection(path, request, response);
      return;
    }
    if (path !== '/' || request.method !== 'POST') {
      request.resume();
      writeJson(response, 404, { message: `Not found: ${request.method ?? ''} ${path ?? ''}` });
      return;
    }
    if (this.currentState !== 'running') {
      request.resume();
      await this.reply(response, serviceErrors.shuttingDown());
      return;
    }
    let body: Record<string, unknown>;
    try {
      body = parseBody(await readRequestBody(request, this.options.maxRequestBytes));
    } catch (error) {
      if (error instanceof RequestTooLargeError) {
        this.counts.requests += 1;
        await answerTooLarge(request, response, error, this.options.oversizeLingerMs);
        return;
      }
      await this.reply(response, error);
      return;
    }
    const target = headerValue(request.headers['x-amz-target']);
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
    const handler = operation === undefined ? undefined : this.operations.get(operation);
    if (handler === undefined || operation === undefined) {
      await this.reply(response, serviceErrors.unknownOperation(target));
      return;
    }
    if (this.throttler !== undefined && !this.throttler.admit(operation)) {
      this.counts.throttled += 1;
      await this.reply(response, serviceErrors.throttling());
      return;
    }
    const errorRate = this.currentFaults.errorRate;
    // Injected before the operation runs, so an injected error never changes state.
    if (errorRate > 0 && Math.random() < errorRate) {
      this.counts.injectedErrors += 1;
      await this.reply(
        response,
        Math.random() < 0.5
          ? serviceErrors.injectedInternalFailure()
          : serviceErrors.injectedServiceUnavailable(),
      );
      return;
    }
    let result: unknown;
    try {
      result = await handler(body, {
        onClientGone: (callback) => {
          response.on('close', () => {
            if (!response.writableFinished) callback();
          });
        },
      });
    } catch (error) {
      await this.reply(response, error);
      return;
    }
    if (result === NO_RESPONSE) {
      response.destroy();
      return;
    }
    await this.reply(response, result ?? {});
  }

  /** Writes a result or an error after the injected latency; a token that cannot be written is lost. */
  private async reply(response: ServerResponse, result: unknown): Promise<void> {
    this.counts.requests += 1;
    const latencyMs = this.currentFaults.latencyMs;
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    if (response.destroyed || response.writableEnded || !response.socket || response.socket.destroyed) {
      if (result instanceof PollAnswer) result.lost();
      return;
    }
    if (result instanceof ServiceError) {
      writeJson(response, result.httpStatus, result.toBody());
    } else if (result instanceof Error || !(typeof result === 'object' && result !== null)) {
      let failure: ServiceError;
      if (result instanceof SyntaxError) {
        failure = serviceErrors.serialization(result.message);
      } else {
        this.counts.internalErrors += 1;
        failure = serviceErrors.internalFailure(result);
      }
      writeJson(response, failure.httpStatus, failure.toBody());
    } else {
      writeJson(response, 200, result);
    }
  }

  private async handleIntrospection(
    path: string,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    if (path === '/_emulator/stats' && request.method === 'GET') {
      request.resume();
      writeJson(response, 200, this.stats(), 'application/json');
      return;
    }
    if (path === '/_emulator/faults' && request.method === 'GET') {
      request.resume();
      writeJson(response, 200, this.faults(), 'application/json');
      return;
    }
    if (path === '/_emulator/faults' && request.method === 'POST') {
      try {
        const body = parseBody(await readRequestBody(request, 64 * 1024));
        writeJson(response, 200, this.setFaults(body), 'application/json');
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const name = error instanceof InvalidFaultError ? error.name : 'BadRequest';
        writeJson(response, 400, { error: name, message }, 'application/json');
      }
      return;
    }
    request.resume();
    writeJson(
      response,
      405,
      { message: `Method not allowed: ${request.method ?? ''} ${path}` },
      'application/json',
    );
  }
}

/** Starts an emulator listening on `options.port` (a free one by default). */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emulator = new Emulator(options);
  await emulator.listen();
  return emulator;
}
