// The bridge as a service: the Bridge's poller pools, the HTTP surface beside
// it, and the order a stop takes (readiness 503 → bridge drain → queues → HTTP).
import { EventEmitter } from 'node:events';
import { CreateActivityCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { Bridge, type ActivityPollerOptions, type BridgeOptions } from '@sfn-bullmq/bridge';
import type { SfnConnectionOptions } from '@sfn-bullmq/protocol';
import { Queue } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import { portInUse, sfnCall, sfnTarget } from './command-error.js';
import { controlPlaneClient } from './control-plane-client.js';
import { bridgeConnectionOf, describeRedis, openBoardRedis } from './config/redis-connection.js';
import type { CompiledActivityConfig, ServiceConfig } from './config/service-config.js';
import type { BoardCredentials } from './http/board-auth.js';
import { BOARD_PATH } from './http/board.js';
import { HttpServer } from './http/http-server.js';
import { createServiceRegistry } from './http/queue-metrics.js';

export interface BridgeServiceOptions {
  config: ServiceConfig;
  logger: Logger;
  /** From BOARD_USER / BOARD_PASSWORD. */
  boardCredentials?: BoardCredentials;
  /** Step Functions credentials; by default the AWS SDK's standard chain. */
  sfnCredentials?: SfnConnectionOptions['credentials'];
  /** How the user changes the HTTP port, for the message when it is taken. @default 'set http.port or PORT' */
  portHint?: string;
  /** Bridge options the config file does not carry (tests, dev mode). */
  bridgeOverrides?: Partial<Pick<BridgeOptions, 'pollRequestTimeoutMs' | 'drainTimeoutMs'>>;
}

/** `failed` when the bridge cannot start (its `started` rejects); close() still stops what runs. */
export type BridgeServiceState = 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

/** Emits 'stateChange' (the new `BridgeServiceState`) on each change. */
export class BridgeService extends EventEmitter {
  private closing: Promise<void> | undefined;
  private currentState: BridgeServiceState = 'starting';
  /** Settles when the bridge runs (its polls open once Redis answers); rejects if it cannot start. */
  started: Promise<void> = Promise.resolve();

  private constructor(
    readonly bridge: Bridge,
    readonly queues: readonly Queue[],
    private readonly boardRedis: Redis | Cluster,
    readonly http: HttpServer,
    private readonly logger: Logger,
  ) {
    super();
  }

  get state(): BridgeServiceState {
    return this.currentState;
  }

  /** The HTTP server's base URL. */
  get url(): string {
    return this.http.url;
  }

  /**
   * Resolves the activities (creating those with `create: true`), starts HTTP, then starts the bridge
   * without waiting for it: await `started` for that.
   */
  static async start(options: BridgeServiceOptions): Promise<BridgeService> {
    const { config, logger } = options;
    const sfn: SfnConnectionOptions = { ...config.stepFunctions };
    if (options.sfnCredentials !== undefined) sfn.credentials = options.sfnCredentials;
    const activities = await resolveActivities(config.activities, sfn, logger);

    // The board and the queue gauges read through their own connection, never the bridge's. It is ours
    // (BullMQ does not close a connection it was given) and does not queue commands offline: with Redis
    // down a scrape or a page view fails at once, and close() can always let go of it.
    const boardRedis = openBoardRedis(config.redis);
    boardRedis.on('error', (error) => logger.debug({ err: error }, 'board/metrics Redis connection error'));
    const queues = activities.map(
      (activity) =>
        new Queue(activity.queueName ?? '', { connection: boardRedis, prefix: config.redis.prefix }),
    );
    for (const queue of queues) {
      // Debug only: the bridge logs Redis trouble itself and /readyz shows it; this would repeat it per queue.
      queue.on('error', (error) =>
        logger.debug({ err: error, queue: queue.name }, 'board queue connection error'),
      );
    }
    // One registry for /metrics: the bridge registers its metrics in it when it starts.
    const registry = createServiceRegistry(queues, (error) =>
      logger.debug({ err: error }, 'queue count failed at scrape'),
    );

    const bridgeOptions: BridgeOptions = {
      registry,
      connection: bridgeConnectionOf(config.redis),
      prefix: config.redis.prefix,
      sfn,
      activities,
      // The Bridge adds `component: 'bridge'` itself (once).
      logger,
      ...options.bridgeOverrides,
    };
    if (config.workerName !== undefined) bridgeOptions.workerName = config.workerName;
    if (config.drainTimeoutMs !== undefined) bridgeOptions.drainTimeoutMs = config.drainTimeoutMs;
    if (config.queuedHeartbeatsPerSecond !== undefined) {
      bridgeOptions.queuedHeartbeatsPerSecond = config.queuedHeartbeatsPerSecond;
    }
    if (config.queuedHeartbeatDutyTtlMs !== undefined) {
      bridgeOptions.queuedHeartbeatDutyTtlMs = config.queuedHeartbeatDutyTtlMs;
    }
    if (config.fleet !== undefined) bridgeOptions.fleet = config.fleet;
    if (config.redis.unsafeAllowEvictionPolicy === true) bridgeOptions.unsafeAllowEvictionPolicy = true;
    let bridge: Bridge;
    try {
      bridge = new Bridge(bridgeOptions);
    } catch (error) {
      await Promise.all(queues.map((queue) => queue.close()));
      boardRedis.disconnect();
      throw error;
    }
    const http = new HttpServer({
      host: config.http.host,
      port: config.http.port,
      logger: logger.child({ component: 'http' }),
      registry,
      readiness: bridge,
      ...(config.http.board.enabled
        ? {
            board: {
              queues,
              readOnly: config.http.board.readOnly,
              ...(options.boardCredentials ? { credentials: options.boardCredentials } : {}),
            },
          }
        : {}),
    });
    const service = new BridgeService(bridge, queues, boardRedis, http, logger);
    try {
      const url = await http.start();
      logger.info(
        {
          url,
          redis: describeRedis(config.redis),
          prefix: config.redis.prefix,
          activities: activities.map((a) => ({ arn: a.activityArn, queue: a.queueName, polls: a.polls })),
        },
        `sfn-bullmq bridge: HTTP on ${url} (metrics /metrics, health /healthz /readyz${config.http.board.enabled ? `, dashboard ${BOARD_PATH}` : '; dashboard off'})`,
      );
    } catch (error) {
      await service.close({ force: true });
      throw portInUse(
        error,
        `HTTP port ${config.http.port} on ${config.http.host}`,
        options.portHint ?? 'set another with http.port in the config or PORT',
      );
    }
    // The bridge opens its polls once Redis answers, which may take a while; meanwhile the service is
    // up (so it can be stopped, and /readyz says 503) and `started` tells when the polls are open.
    service.started = bridge.start().then(
      () => {
        if (service.currentState === 'starting') service.setState('running');
      },
      (error: unknown) => {
        if (service.currentState === 'starting') service.setState('failed');
        throw error;
      },
    );
    service.started.catch(() => undefined);
    return service;
  }

  /** Graceful: readiness turns 503 first, then the bridge drains its polls. `force` stops waiting for them. */
  close({ force = false }: { force?: boolean } = {}): Promise<void> {
    if (force && this.closing !== undefined) {
      // A second signal: make the drain in progress stop waiting.
      return this.bridge.close({ force: true });
    }
    this.closing ??= (async () => {
      this.setState('stopping');
      this.http.beginDrain();
      const steps: Array<[string, () => Promise<unknown>]> = [
        ['bridge', () => this.bridge.close({ force })],
        ['queues', () => Promise.all(this.queues.map((queue) => queue.close()))],
        // QUIT fails at once with Redis gone (no offline queue); then just drop the socket.
        ['redis', () => this.boardRedis.quit().catch(() => this.boardRedis.disconnect())],
        ['http', () => this.http.close()],
      ];
      for (const [name, step] of steps) {
        try {
          await step();
        } catch (error) {
          this.logger.error({ err: error, step: name }, 'a stop step failed; going on with the others');
        }
      }
      this.setState('stopped');
    })();
    return this.closing;
  }

  private setState(state: BridgeServiceState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.logger.info({ state }, `service ${state}`);
    this.emit('stateChange', state);
  }
}

/** ARN for each activity; `create: true` ones through CreateActivity (idempotent by name). */
async function resolveActivities(
  activities: readonly CompiledActivityConfig[],
  sfn: SfnConnectionOptions,
  logger: Logger,
): Promise<ActivityPollerOptions[]> {
  let client: SFNClient | undefined;
  try {
    const resolved: ActivityPollerOptions[] = [];
    for (const activity of activities) {
      let activityArn: string;
      if (activity.target.kind === 'arn') {
        activityArn = activity.target.arn;
      } else {
        client ??= controlPlaneClient(sfn);
        activityArn = await createActivity(client, activity.target.name, sfnTarget(sfn));
        logger.info({ activityArn }, `activity '${activity.target.name}' ready`);
      }
      const options: ActivityPollerOptions = { activityArn, queueName: activity.queue };
      if (activity.polls !== undefined) options.polls = activity.polls;
      if (activity.maxWaiting !== undefined) options.maxWaiting = activity.maxWaiting;
      if (activity.resumeBelow !== undefined) options.resumeBelow = activity.resumeBelow;
      if (activity.enqueueDeadlineMs !== undefined) options.enqueueDeadlineMs = activity.enqueueDeadlineMs;
      if (activity.unhealthyAfterMs !== undefined) options.unhealthyAfterMs = activity.unhealthyAfterMs;
      if (activity.queuedHeartbeatIntervalMs !== undefined) {
        options.queuedHeartbeatIntervalMs = activity.queuedHeartbeatIntervalMs;
      }
      if (activity.fleetPolls !== undefined) options.fleetPolls = activity.fleetPolls;
      if (activity.jobOptions !== undefined) options.jobOptions = activity.jobOptions;
      resolved.push(options);
    }
    return resolved;
  } finally {
    client?.destroy();
  }
}

/** CreateActivity (idempotent by name): the activity's ARN. A failure names the call and `target`. */
export async function createActivity(client: SFNClient, name: string, target: string): Promise<string> {
  const result = await sfnCall(`CreateActivity '${name}'`, target, () =>
    client.send(new CreateActivityCommand({ name })),
  );
  if (result.activityArn === undefined) throw new Error(`CreateActivity '${name}' returned no ARN`);
  return result.activityArn;
}
