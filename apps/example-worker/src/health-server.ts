// The example worker's HTTP surface on node:http: /metrics (its Registry), /healthz (the process
// answers) and /readyz (every worker connected to Redis with its BullMQ worker running; 503 once closing).
import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ActivityWorker } from '@sfn-bullmq/worker';
import type { Registry } from 'prom-client';

/** What /readyz reads of each worker: its state, its BullMQ worker and that worker's Redis connection. */
export type ReadinessSubject = Pick<ActivityWorker, 'queueName' | 'state'> & {
  worker: { isRunning(): boolean; getBackend(): { client: Promise<{ status: string }> } };
};

export interface HealthServerOptions {
  host: string;
  port: number;
  registry: Registry;
  workers: readonly ReadinessSubject[];
}

/** `failed` when start() cannot listen (the port is taken); close() still ends in `closed`. */
export type HealthServerState = 'idle' | 'starting' | 'listening' | 'closing' | 'closed' | 'failed';

/** Emits 'stateChange' (HealthServerState) on each change. */
export class HealthServer extends EventEmitter {
  private readonly server: Server;
  private currentState: HealthServerState = 'idle';
  private closing: Promise<void> | undefined;

  constructor(private readonly options: HealthServerOptions) {
    super();
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(`${error instanceof Error ? error.message : String(error)}\n`);
      });
    });
  }

  get state(): HealthServerState {
    return this.currentState;
  }

  /** `http://host:port` once listening (0.0.0.0 shown as 127.0.0.1). */
  get url(): string {
    const address = this.server.address() as AddressInfo | null;
    if (address === null) throw new Error('the health server is not listening');
    const host = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address;
    return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  }

  async start(): Promise<string> {
    this.setState('starting');
    this.server.listen(this.options.port, this.options.host);
    try {
      await Promise.race([
        once(this.server, 'listening'),
        once(this.server, 'error').then(([error]) => {
          throw error as Error;
        }),
      ]);
    } catch (error) {
      this.setState('failed');
      throw error;
    }
    this.setState('listening');
    return this.url;
  }

  /** Readiness turns 503 at once; the server stops listening. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.setState('closing');
      if (this.server.listening) {
        await new Promise<void>((resolve) => {
          this.server.close(() => resolve());
          this.server.closeAllConnections();
        });
      }
      this.setState('closed');
    })();
    return this.closing;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    switch (path) {
      case '/metrics': {
        const body = await this.options.registry.metrics();
        response.writeHead(200, { 'content-type': this.options.registry.contentType }).end(body);
        return;
      }
      case '/healthz':
        json(response, 200, { status: 'ok' });
        return;
      case '/readyz': {
        const readiness = await this.readiness();
        json(response, readiness.ready ? 200 : 503, readiness);
        return;
      }
      default:
        json(response, 404, { error: `no route ${path}; try /metrics, /healthz or /readyz` });
    }
  }

  private async readiness(): Promise<{ ready: boolean; reason?: string; workers: object[] }> {
    const workers = await Promise.all(
      this.options.workers.map(async (worker) => {
        const redis = worker.state === 'closed' ? 'closed' : await redisStatus(worker);
        const running = worker.worker.isRunning();
        return { queue: worker.queueName, state: worker.state, bullmqRunning: running, redis };
      }),
    );
    const notReady = workers.find((w) => w.state !== 'running' || !w.bullmqRunning || w.redis !== 'ready');
    if (this.currentState !== 'listening') return { ready: false, reason: 'shutting down', workers };
    if (notReady !== undefined) {
      return {
        ready: false,
        reason: `worker on ${notReady.queue} is ${notReady.state} (BullMQ worker ${notReady.bullmqRunning ? 'running' : 'not running'}, Redis ${notReady.redis})`,
        workers,
      };
    }
    return { ready: true, workers };
  }

  private setState(state: HealthServerState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.emit('stateChange', state);
  }
}

/** The ioredis status of the worker's connection ('ready' when connected), within a second. */
async function redisStatus(worker: ReadinessSubject): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>(
    (resolve) => (timer = setTimeout(() => resolve('no connection yet'), 1_000)),
  );
  try {
    return await Promise.race([worker.worker.getBackend().client.then((client) => client.status), late]);
  } catch (error) {
    return `error: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    clearTimeout(timer);
  }
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
}
