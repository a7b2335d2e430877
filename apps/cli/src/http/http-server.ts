// The service's HTTP surface: /metrics, /healthz, /readyz and Bull Board.
// Readiness turns 503 as soon as a stop begins, before the bridge drains.
import { EventEmitter, once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Queue } from 'bullmq';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { basicAuth, isLoopbackHost, refuseUnprotectedBoard, type BoardCredentials } from './board-auth.js';
import { BOARD_PATH, createBoardRouter } from './board.js';

/** What /readyz asks. */
export interface ReadinessProbe {
  isReady(): boolean;
  /** Why it is not ready (shown as `reason` in the 503 body). */
  notReadyReason?(): string | undefined;
  /** A JSON-able summary shown in the /readyz body. */
  status(): unknown;
}

export interface HttpServerOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 for a free port. @default 3000 */
  port?: number;
  logger: Logger;
  registry: Registry;
  readiness: ReadinessProbe;
  board?: {
    queues: readonly Queue[];
    readOnly: boolean;
    /** From BOARD_USER / BOARD_PASSWORD; without them the board is open on loopback only. */
    credentials?: BoardCredentials;
  };
}

/** `failed` when start() cannot listen (port taken); close() still ends in `closed`. */
export type HttpServerState = 'idle' | 'starting' | 'listening' | 'draining' | 'closed' | 'failed';

/** Emits 'stateChange' (the new `HttpServerState`) on each change. */
export class HttpServer extends EventEmitter {
  readonly app: Express;
  private server: Server | undefined;
  private closing: Promise<void> | undefined;
  private currentState: HttpServerState = 'idle';
  private readonly host: string;
  private readonly port: number;

  constructor(private readonly options: HttpServerOptions) {
    super();
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? 3000;
    this.app = this.buildApp();
  }

  get state(): HttpServerState {
    return this.currentState;
  }

  /** `http://host:port` once listening. */
  get url(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (address == null) throw new Error('the HTTP server is not listening');
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const shown = host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host;
    return `http://${shown}:${address.port}`;
  }

  async start(): Promise<string> {
    this.setState('starting');
    const server = this.app.listen(this.port, this.host);
    this.server = server;
    try {
      await Promise.race([
        once(server, 'listening'),
        once(server, 'error').then(([error]) => {
          throw error as Error;
        }),
      ]);
    } catch (error) {
      this.setState('failed');
      throw error;
    }
    // Long polls are not served here; keep idle keep-alive sockets from holding close() for long.
    server.keepAliveTimeout = 5_000;
    this.setState('listening');
    return this.url;
  }

  /** From now on /readyz answers 503, so load balancers stop sending before the bridge drains. */
  beginDrain(): void {
    const { currentState } = this;
    if (currentState === 'listening' || currentState === 'idle' || currentState === 'starting') {
      this.setState('draining');
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.beginDrain();
      const server = this.server;
      if (server !== undefined && server.listening) {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // A scrape or a board page in flight gets a moment; then the sockets go.
        const timer = setTimeout(() => server.closeAllConnections(), 2_000);
        await closed;
        clearTimeout(timer);
      }
      this.setState('closed');
    })();
    return this.closing;
  }

  private setState(state: HttpServerState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.options.logger.info({ state }, `http server ${state}`);
    this.emit('stateChange', state);
  }

  private buildApp(): Express {
    const { logger, registry, readiness, board } = this.options;
    const app = express();
    app.disable('x-powered-by');

    app.get('/healthz', (_request, response) => {
      response.json({ status: 'ok' });
    });

    app.get('/readyz', (_request, response) => {
      const draining = this.currentState !== 'listening';
      const ready = !draining && readiness.isReady();
      const reason = draining
        ? 'draining'
        : ready
          ? undefined
          : (readiness.notReadyReason?.() ?? 'not ready');
      response.status(ready ? 200 : 503).json({
        ready,
        ...(reason === undefined ? {} : { reason }),
        status: readiness.status(),
      });
    });

    app.get('/metrics', async (_request, response) => {
      try {
        const text = await registry.metrics();
        response.type(registry.contentType).send(text);
      } catch (error) {
        logger.warn({ err: error }, 'metrics collection failed');
        response.status(500).type('text/plain').send('metrics collection failed\n');
      }
    });

    if (board !== undefined) {
      if (board.credentials !== undefined) {
        app.use(BOARD_PATH, basicAuth(board.credentials), createBoardRouter(board));
        logger.info({ path: BOARD_PATH, readOnly: board.readOnly }, 'Bull Board on, with Basic auth');
      } else if (isLoopbackHost(this.host)) {
        app.use(BOARD_PATH, createBoardRouter(board));
        logger.info(
          { path: BOARD_PATH, readOnly: board.readOnly },
          'Bull Board on, without auth (loopback only)',
        );
      } else {
        app.use(BOARD_PATH, refuseUnprotectedBoard(this.host));
        logger.warn(
          { path: BOARD_PATH, host: this.host },
          'Bull Board refused: listening beyond loopback without BOARD_USER/BOARD_PASSWORD; set both to turn it on',
        );
      }
    }

    app.get('/', (_request, response) => {
      response
        .type('text/plain')
        .send(`sfn-bullmq bridge\n/metrics /healthz /readyz ${board ? BOARD_PATH : ''}\n`);
    });
    return app;
  }
}
