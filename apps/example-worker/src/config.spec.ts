import { compileActivityWorkerOptions, isInvalidOptionError } from '@sfn-bullmq/worker';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, workerOptionsOf } from './config.js';

/** The rule the worker library itself gives for one bad option, so the test holds no copy of it. */
function libraryRule(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isInvalidOptionError(error)) return `${error.option} ${error.rule}`;
    throw error;
  }
  throw new Error('the library took the option');
}

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('loadConfig took the environment');
}

const base = { connection: {}, sfn: { region: 'us-east-1' } };

describe('loadConfig', () => {
  it('fills defaults from a minimal environment', () => {
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:7000' })).toEqual({
      redisUrl: 'redis://127.0.0.1:7000',
      sfnEndpoint: undefined,
      region: 'us-east-1',
      queueResize: 'resize-image',
      queueCharge: 'charge-card',
      concurrency: 10,
      logLevel: 'info',
      workMs: 200,
    });
  });

  it('names the variable that is missing or wrong', () => {
    expect(() => loadConfig({})).toThrow(/^REDIS_URL: required/);
    expect(() => loadConfig({ REDIS_URL: 'redis://h:1', CONCURRENCY: 'many' })).toThrow(
      /^CONCURRENCY: .*'many'/,
    );
    expect(() => loadConfig({ REDIS_URL: 'redis://h:1', QUEUE_RESIZE: 'a:b' })).toThrow(/^QUEUE_RESIZE: /);
    expect(() => loadConfig({ REDIS_URL: 'redis://h:1', LOG_LEVEL: 'loud' })).toThrow(/^LOG_LEVEL: /);
    expect(() => loadConfig({ REDIS_URL: 'redis://h:1', WORK_MS: '-1' })).toThrow(/^WORK_MS: /);
  });

  it("gives the worker library's own rule for a value that sets a worker option", () => {
    const env = { REDIS_URL: 'redis://h:1' };
    expect(configError({ ...env, CONCURRENCY: '20000' }).issues).toEqual([
      {
        variable: 'CONCURRENCY',
        message: `${libraryRule(() => compileActivityWorkerOptions('q', { ...base, concurrency: 20_000 }))}, got '20000'`,
      },
    ]);
    expect(configError({ ...env, SFN_ENDPOINT: 'ftp://emulator' }).issues).toEqual([
      {
        variable: 'SFN_ENDPOINT',
        message: `${libraryRule(() =>
          compileActivityWorkerOptions('q', {
            ...base,
            sfn: { region: 'us-east-1', endpoint: 'ftp://emulator' },
          }),
        )}, got 'ftp://emulator'`,
      },
    ]);
    expect(configError({ ...env, QUEUE_CHARGE: 'a:b' }).issues).toEqual([
      {
        variable: 'QUEUE_CHARGE',
        message: `${libraryRule(() => compileActivityWorkerOptions('a:b', base))}, got 'a:b'`,
      },
    ]);
  });

  it('reports every mistake at once, each with its variable and the option it sets', () => {
    const error = configError({
      REDIS_URL: 'http://h:1',
      LOG_LEVEL: 'loud',
      CONCURRENCY: '0',
      SFN_ENDPOINT: 'nope',
      QUEUE_RESIZE: 'a:b',
      QUEUE_CHARGE: 'c:d',
    });
    expect(error.issues.map((issue) => issue.variable)).toEqual([
      'REDIS_URL',
      'LOG_LEVEL',
      'QUEUE_RESIZE',
      'CONCURRENCY',
      'SFN_ENDPOINT',
      'QUEUE_CHARGE',
    ]);
    expect(error.issues.find((issue) => issue.variable === 'CONCURRENCY')?.message).toMatch(/^concurrency /);
    expect(error.issues.find((issue) => issue.variable === 'SFN_ENDPOINT')?.message).toMatch(
      /^sfn\.endpoint /,
    );
    expect(error.message.split('\n')).toHaveLength(6);
  });

  it('maps onto the ActivityWorker options the worker library takes', () => {
    const config = loadConfig({
      REDIS_URL: 'redis://h:1',
      SFN_ENDPOINT: 'http://127.0.0.1:8083',
      CONCURRENCY: '7',
    });
    const options = workerOptionsOf(config);
    expect(options).toEqual({
      connection: { url: 'redis://h:1' },
      sfn: { region: 'us-east-1', endpoint: 'http://127.0.0.1:8083' },
      concurrency: 7,
    });
    expect(compileActivityWorkerOptions(config.queueResize, options).concurrency).toBe(7);
  });
});

describe('REDIS_CLUSTER_NODES', () => {
  it('gives the workers a cluster connection, auth and TLS from the first node', () => {
    const config = loadConfig({
      REDIS_CLUSTER_NODES: 'rediss://u:p%40ss@10.0.0.1:7000, rediss://10.0.0.2:7001',
      QUEUE_RESIZE: '{resize-image}',
      QUEUE_CHARGE: '{charge-card}',
    });
    expect(workerOptionsOf(config).connection).toEqual({
      cluster: {
        nodes: [
          { host: '10.0.0.1', port: 7000 },
          { host: '10.0.0.2', port: 7001 },
        ],
        options: { redisOptions: { username: 'u', password: 'p@ss', tls: {} } },
      },
    });
    expect(workerOptionsOf(loadConfig({ REDIS_URL: 'redis://h:1' })).connection).toEqual({
      url: 'redis://h:1',
    });
  });

  it("refuses queue names without a hash tag on a cluster, by the worker library's slot rule", () => {
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'redis://10.0.0.1:7000' })).toThrow(/QUEUE_RESIZE: /);
  });

  it('names the variable when a node is not a redis://host:port URL', () => {
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'redis://a:1,nohost' })).toThrow(
      /^REDIS_CLUSTER_NODES: .*'nohost'/,
    );
  });
});
