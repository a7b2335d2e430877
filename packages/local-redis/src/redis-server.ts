// A private redis-server for one test run: its own port, its own temp folder,
// stopped afterwards. Tests never touch a Redis they did not start.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** Thrown when the `redis-server` binary cannot be run. */
export class RedisServerNotFoundError extends Error {
  override readonly name = 'RedisServerNotFoundError';
  constructor(binary: string) {
    super(
      `Cannot run '${binary}': it is not installed or not on PATH. ` +
        `Install it (Debian/Ubuntu: 'apt-get install -y redis-server', macOS: 'brew install redis'), ` +
        `or set REDIS_URL to a Redis server that the tests may write to.`,
    );
  }
}

/** Thrown when redis-server started but did not become ready. */
export class RedisServerStartError extends Error {
  override readonly name = 'RedisServerStartError';
}

export interface RedisServerOptions {
  /** Turn on the append-only file, for tests that restart Redis and expect data back. @default false */
  appendOnly?: boolean;
  /** Path or name of the binary. @default 'redis-server' */
  binary?: string;
  /** How long to wait for the server to answer PING. @default 10_000 */
  startTimeoutMs?: number;
  /** A fixed port; by default a free one is picked. */
  port?: number;
  /**
   * Run the server in its own process group, so that a Ctrl-C in the terminal (SIGINT to the whole
   * foreground group) reaches only the parent, which then stops it in order. Such a server outlives a
   * parent that dies without stopping it: the app kills it from its own 'exit' handler with `killNow()`
   * (a library installs no process handlers). @default false
   */
  detached?: boolean;
  /**
   * More `redis-server` arguments, after the defaults so they override them, e.g.
   * `['--maxmemory', '10mb', '--maxmemory-policy', 'allkeys-lru']` or `['--save', '60 1']`. @default []
   */
  extraArgs?: readonly string[];
}

/** Finds a TCP port that is free on 127.0.0.1 right now. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the port of a probe server'));
        return;
      }
      const { port } = address;
      server.close(() => resolve(port));
    });
  });
}

/**
 * One redis-server child process. `stop()` and `start()` let fault tests take
 * Redis away and bring it back on the same port and data folder; `close()`
 * stops it for good and removes its folder, and is idempotent.
 */
export class RedisServer {
  private child: ChildProcess | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly options: Required<Omit<RedisServerOptions, 'port'>>,
  ) {}

  /** `redis://127.0.0.1:<port>` */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const port = options.port ?? (await findFreePort());
    const dir = await mkdtemp(join(tmpdir(), 'sfn-bullmq-redis-'));
    const server = new RedisServer(port, dir, {
      appendOnly: options.appendOnly ?? false,
      binary: options.binary ?? 'redis-server',
      startTimeoutMs: options.startTimeoutMs ?? 10_000,
      detached: options.detached ?? false,
      extraArgs: [...(options.extraArgs ?? [])],
    });
    try {
      await server.startProcess();
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    return server;
  }

  /** Starts the process again after `stop()`, on the same port and folder. */
  async restart(): Promise<void> {
    if (this.child !== undefined) await this.stop();
    await this.startProcess();
  }

  /** Stops the process (SIGTERM, or SIGKILL with `{ kill: true }`) but keeps the folder. */
  async stop({ kill = false }: { kill?: boolean } = {}): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    this.child = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(kill ? 'SIGKILL' : 'SIGTERM');
    });
  }

  /** Stops the server and removes its folder. Safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.stop();
      await rm(this.dir, { recursive: true, force: true });
    })();
    return this.closing;
  }

  /** Kills the process at once and synchronously, for a parent's 'exit' handler; the folder stays. */
  killNow(): void {
    this.child?.kill('SIGKILL');
  }

  private async startProcess(): Promise<void> {
    const args = [
      '--port', String(this.port),
      '--bind', '127.0.0.1',
      '--dir', this.dir,
      '--save', '',
      '--appendonly', this.options.appendOnly ? 'yes' : 'no',
      '--appendfsync', 'everysec',
      '--maxmemory-policy', 'noeviction',
      '--daemonize', 'no',
      '--logfile', join(this.dir, 'redis.log'),
      ...this.options.extraArgs,
    ]; // prettier-ignore
    const child = spawn(this.options.binary, args, { stdio: 'ignore', detached: this.options.detached });
    const failed = new Promise<never>((_, reject) => {
      child.once('error', (error: NodeJS.ErrnoException) => {
        reject(
          error.code === 'ENOENT'
            ? new RedisServerNotFoundError(this.options.binary)
            : new RedisServerStartError(`redis-server failed to start: ${error.message}`),
        );
      });
      child.once('exit', (code, signal) => {
        reject(
          new RedisServerStartError(
            `redis-server exited at start (code ${code}, signal ${signal}); see ${join(this.dir, 'redis.log')}`,
          ),
        );
      });
    });
    failed.catch(() => undefined);
    this.child = child;
    // Stops the ping loop once the start has failed, so a missing binary does
    // not keep the caller's process alive for the whole start timeout.
    const gaveUp = { value: false };
    try {
      await Promise.race([failed, this.waitForPing(gaveUp)]);
    } catch (error) {
      gaveUp.value = true;
      this.child = undefined;
      child.kill('SIGKILL');
      throw error;
    }
  }

  private async waitForPing(gaveUp: { value: boolean }): Promise<void> {
    const deadline = Date.now() + this.options.startTimeoutMs;
    while (!gaveUp.value) {
      const client = new Redis({
        port: this.port,
        host: '127.0.0.1',
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.ping();
        return;
      } catch {
        if (Date.now() > deadline) {
          throw new RedisServerStartError(
            `redis-server on port ${this.port} did not answer PING within ${this.options.startTimeoutMs} ms`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      } finally {
        client.disconnect();
      }
    }
  }
}
