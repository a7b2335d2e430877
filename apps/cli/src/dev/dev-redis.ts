// Dev's Redis: REDIS_URL when set, else a private redis-server that goes with dev.
import { RedisServer, RedisServerNotFoundError } from '@sfn-bullmq/local-redis';
import type { DevEnv } from './dev-options.js';
import type { Say } from './dev-output.js';
import type { DevStack } from './dev-stack.js';

const REDIS_SERVER_MISSING =
  `sfn-bullmq dev: needs Redis, and 'redis-server' is not installed or not on PATH.\n` +
  `Install it (Debian/Ubuntu: 'apt-get install -y redis-server', macOS: 'brew install redis'),\n` +
  `or set REDIS_URL to a Redis that dev may write to (it adds queues under the prefix 'bull').\n`;

/** The Redis URL dev uses, or undefined (with the reason on stderr) when there is none to use. */
export async function startDevRedis(env: DevEnv, stack: DevStack, say: Say): Promise<string | undefined> {
  const explicit = env['REDIS_URL'];
  if (explicit !== undefined && explicit !== '') {
    say(`redis      ${explicit} (REDIS_URL)`);
    return explicit;
  }
  try {
    const redis = await RedisServer.start({ detached: true });
    // Detached from our process group (so Ctrl-C reaches only us), it would outlive a crash of ours.
    process.on('exit', () => redis.killNow());
    stack.redis = redis;
  } catch (error) {
    if (error instanceof RedisServerNotFoundError) {
      process.stderr.write(REDIS_SERVER_MISSING);
      return undefined;
    }
    throw error;
  }
  say(`redis      ${stack.redis.url} (private redis-server, removed on exit)`);
  return stack.redis.url;
}
