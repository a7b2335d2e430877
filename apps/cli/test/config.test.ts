import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config/config-error.js';
import { compileConfig } from '../src/config/compile-config.js';
import { loadConfig } from '../src/config/load-config.js';

const ARN = 'arn:aws:states:us-east-1:123456789012:activity:resize-image';
const ARN2 = 'arn:aws:states:us-east-1:123456789012:activity:charge-card';

/** The ConfigError that compiling `raw` throws. */
function errorOf(raw: unknown, env = {}): ConfigError {
  try {
    compileConfig(raw, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('compileConfig accepted the config');
}

describe('config validation', () => {
  it('accepts a minimal config and fills the defaults', () => {
    const config = compileConfig({ activities: [{ arn: ARN }] });
    expect(config).toEqual({
      logLevel: 'info',
      redis: { url: 'redis://127.0.0.1:6379', prefix: 'bull' },
      stepFunctions: {},
      http: { host: '127.0.0.1', port: 3000, board: { enabled: true, readOnly: false } },
      activities: [{ target: { kind: 'arn', arn: ARN }, queue: 'resize-image' }],
    });
  });

  it('names the field of a number out of range', () => {
    const error = errorOf({ activities: [{ arn: ARN }, { arn: ARN2, polls: 5000 }] });
    // The bridge's own rule and wording (its compile is the only check of pool options).
    expect(error.message).toContain('activities[1].polls: must be an integer 1–1000, got 5000');
    expect(error.issues).toEqual([
      { field: 'activities[1].polls', message: 'must be an integer 1–1000, got 5000' },
    ]);
  });

  it('maps fleetPolls and the fleet block onto the bridge, and names a bad one by its field', () => {
    const config = compileConfig({
      fleet: { leaseTtlMs: 3_000, pollHoldMs: 2_000 },
      activities: [{ arn: ARN, fleetPolls: 300 }],
    });
    expect(config.fleet).toEqual({ leaseTtlMs: 3_000, pollHoldMs: 2_000 });
    expect(config.activities[0]).toMatchObject({ fleetPolls: 300 });
    const error = errorOf({
      fleet: { leaseTtlMs: 10, lease: 1 },
      activities: [{ arn: ARN, fleetPolls: 1001 }],
    });
    expect(error.issues).toEqual(
      expect.arrayContaining([
        { field: 'fleet.lease', message: 'unknown field (known: enabled, leaseTtlMs, pollHoldMs)' },
        {
          field: 'fleet.leaseTtlMs',
          message: 'must be a finite number of milliseconds, at least 300, got 10',
        },
        { field: 'activities[0].fleetPolls', message: 'must be an integer 1–1000, got 1001' },
      ]),
    );
  });

  it('names the field of a value of the wrong type', () => {
    expect(errorOf({ http: { port: 'eighty' }, activities: [{ arn: ARN }] }).message).toContain(
      "http.port: must be 0–65535, got 'eighty'",
    );
    expect(errorOf({ http: { board: { readOnly: 'yes' } }, activities: [{ arn: ARN }] }).message).toContain(
      "http.board.readOnly: must be true or false, got 'yes'",
    );
  });

  it('names an unknown field, so a typo is not silently ignored', () => {
    expect(errorOf({ activities: [{ arn: ARN, pols: 10 }] }).message).toContain(
      'activities[0].pols: unknown field',
    );
    expect(errorOf({ redis: { uri: 'x' }, activities: [{ arn: ARN }] }).message).toContain(
      'redis.uri: unknown field',
    );
  });

  it('names a malformed activity ARN', () => {
    expect(errorOf({ activities: [{ arn: 'arn:aws:states:us-east-1:1:activity:x' }] }).message).toMatch(
      /activities\[0\]\.arn: not an activity ARN/,
    );
  });

  it('requires an arn, or a name with create: true', () => {
    expect(errorOf({ activities: [{ queue: 'q' }] }).message).toContain('activities[0].arn: is required');
    expect(errorOf({ activities: [{ name: 'resize' }] }).message).toContain(
      'activities[0].create: must be true',
    );
    expect(errorOf({ activities: [{ arn: ARN, name: 'resize', create: true }] }).message).toContain(
      'activities[0]: give either arn or name',
    );
  });

  it('requires at least one activity', () => {
    expect(errorOf({}).message).toContain('activities: must be a list with at least one activity');
    expect(errorOf({ activities: [] }).message).toContain('activities: must be a list');
  });

  it('refuses a queue name with a colon (BullMQ keys)', () => {
    expect(errorOf({ activities: [{ arn: ARN, queue: 'a:b' }] }).message).toContain(
      "activities[0].queue: must be a non-empty string without ':', got 'a:b'",
    );
  });

  it('refuses two activities on one queue and the same activity twice', () => {
    const error = errorOf({
      activities: [{ arn: ARN, queue: 'q' }, { arn: ARN2, queue: 'q' }, { arn: ARN }],
    });
    expect(error.message).toContain("activities[1].queue: is already used by activities[0], got 'q'");
    expect(error.message).toContain(`activities[2].arn: appears twice (also activities[0]), got '${ARN}'`);
  });

  it('refuses back-pressure marks in the wrong order', () => {
    // The bridge's rule: resumeBelow may equal maxWaiting, not exceed it.
    expect(
      compileConfig({ activities: [{ arn: ARN, maxWaiting: 100, resumeBelow: 100 }] }).activities[0],
    ).toMatchObject({
      resumeBelow: 100,
    });
    expect(errorOf({ activities: [{ arn: ARN, maxWaiting: 100, resumeBelow: 101 }] }).message).toContain(
      'activities[0].resumeBelow: must be an integer 1–100, got 101',
    );
    // The bridge refuses 0 at start; the config names it with the other mistakes.
    expect(errorOf({ activities: [{ arn: ARN, resumeBelow: 0 }] }).message).toContain(
      'activities[0].resumeBelow: must be an integer 1–1000, got 0',
    );
  });

  it("refuses job options that have no age nor count (false, keep all, is the bridge's to allow)", () => {
    expect(
      compileConfig({ activities: [{ arn: ARN, jobOptions: { removeOnComplete: false } }] }).activities[0]
        ?.jobOptions,
    ).toEqual({ removeOnComplete: false });
    expect(errorOf({ activities: [{ arn: ARN, jobOptions: { removeOnFail: {} } }] }).message).toContain(
      'activities[0].jobOptions.removeOnFail: needs age and/or count, got {}',
    );
    expect(
      errorOf({ activities: [{ arn: ARN, jobOptions: { backoff: { type: 'linear' } } }] }).message,
    ).toContain("activities[0].jobOptions.backoff.type: must be one of fixed, exponential, got 'linear'");
  });

  it('names a bad URL, region and log level', () => {
    const error = errorOf({
      redis: { url: 'http://x' },
      stepFunctions: { region: 'mars', endpoint: 'ftp://x' },
      logLevel: 'loud',
      activities: [{ arn: ARN }],
    });
    expect(error.message).toContain("redis.url: must be a redis:// or rediss:// URL, got 'http://x'");
    expect(error.message).toContain(
      "stepFunctions.region: must be an AWS region such as us-east-1, got 'mars'",
    );
    expect(error.message).toContain(
      "stepFunctions.endpoint: must be an http:// or https:// URL, got 'ftp://x'",
    );
    expect(error.message).toContain(
      "logLevel: must be one of fatal, error, warn, info, debug, trace, silent, got 'loud'",
    );
  });

  it('refuses an endpoint the Step Functions client would refuse, naming the field', () => {
    // The client signs the path as it is: one that needs escaping, or a query, cannot be signed right.
    for (const endpoint of ['http://127.0.0.1:8083/a b', 'http://127.0.0.1:8083/?x=1']) {
      expect(errorOf({ stepFunctions: { endpoint }, activities: [{ arn: ARN }] }).message).toContain(
        'stepFunctions.endpoint: the path may hold only letters, digits',
      );
    }
    expect(errorOf({ activities: [{ arn: ARN }] }, { SFN_ENDPOINT: 'http://h/?x' }).message).toContain(
      'stepFunctions.endpoint (from SFN_ENDPOINT): the path may hold only',
    );
  });

  it('reports every mistake at once', () => {
    const error = errorOf({
      workerName: 'w'.repeat(81),
      activities: [{ arn: ARN, polls: 0, maxWaiting: -1 }],
    });
    expect(error.issues.map((issue) => issue.field)).toEqual([
      'workerName',
      'activities[0].polls',
      'activities[0].maxWaiting',
    ]);
  });
});

describe("the bridge's rules are the config's rules", () => {
  it('maps the queued-heartbeat options onto the bridge and names a bad one by its field', () => {
    const config = compileConfig({
      queuedHeartbeatsPerSecond: 50,
      queuedHeartbeatDutyTtlMs: 5_000,
      activities: [
        { arn: ARN, queuedHeartbeatIntervalMs: 0 },
        { arn: ARN2, queuedHeartbeatIntervalMs: 10_000 },
      ],
    });
    expect(config).toMatchObject({ queuedHeartbeatsPerSecond: 50, queuedHeartbeatDutyTtlMs: 5_000 });
    expect(config.activities.map((a) => a.queuedHeartbeatIntervalMs)).toEqual([0, 10_000]);
    const { issues } = errorOf({
      queuedHeartbeatsPerSecond: 0,
      activities: [{ arn: ARN, queuedHeartbeatIntervalMs: 50 }],
    });
    expect(issues.map((issue) => issue.field)).toEqual([
      'queuedHeartbeatsPerSecond',
      'activities[0].queuedHeartbeatIntervalMs',
    ]);
    expect(issues[0]?.message).toMatch(/^must be a positive number .*, got 0$/);
    expect(issues[1]?.message).toMatch(/^must be 0 \(off\) or at least 200 ms.*, got 50$/);
  });

  it('refuses drainTimeoutMs 0 at config time, before any CreateActivity could run', () => {
    expect(errorOf({ drainTimeoutMs: 0, activities: [{ name: 'resize', create: true }] }).issues).toEqual([
      { field: 'drainTimeoutMs', message: 'must be a positive, finite number of milliseconds, got 0' },
    ]);
  });

  it('takes a retention age past a year and an enqueue deadline that is not whole', () => {
    const [activity] = compileConfig({
      activities: [
        { arn: ARN, enqueueDeadlineMs: 1500.5, jobOptions: { removeOnFail: { age: 2 * 365 * 86_400 } } },
      ],
    }).activities;
    expect(activity).toMatchObject({
      enqueueDeadlineMs: 1500.5,
      jobOptions: { removeOnFail: { age: 2 * 365 * 86_400 } },
    });
  });

  it('names an activity to be created twice by its name field and its name', () => {
    const error = errorOf({
      activities: [
        { name: 'x', create: true },
        { name: 'x', create: true },
      ],
    });
    expect(error.message).toContain("activities[1].name: appears twice (also activities[0]), got 'x'");
  });

  it("names library issues by the file's field paths, next to the file-only ones", () => {
    const error = errorOf({
      redis: { prefix: '' },
      http: { port: -1 },
      activities: [{ arn: ARN, jobOptions: { attempts: 0 } }],
    });
    expect(error.issues).toEqual([
      { field: 'http.port', message: 'must be 0–65535, got -1' },
      { field: 'redis.prefix', message: "must be a non-empty string, got ''" },
      { field: 'activities[0].jobOptions.attempts', message: 'must be an integer at least 1, got 0' },
    ]);
  });
});

describe('environment overrides', () => {
  it('replace the file values', () => {
    const config = compileConfig(
      { redis: { url: 'redis://file:6379' }, http: { port: 1 }, activities: [{ arn: ARN }] },
      {
        REDIS_URL: 'redis://env:6380',
        AWS_REGION: 'eu-west-1',
        SFN_ENDPOINT: 'http://127.0.0.1:8083',
        PORT: '8080',
        HTTP_HOST: '0.0.0.0',
        LOG_LEVEL: 'debug',
      },
    );
    expect(config.redis.url).toBe('redis://env:6380');
    expect(config.stepFunctions).toEqual({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:8083' });
    expect(config.http.port).toBe(8080);
    expect(config.http.host).toBe('0.0.0.0');
    expect(config.logLevel).toBe('debug');
  });

  it('name the variable when its value is bad', () => {
    const error = errorOf({ activities: [{ arn: ARN }] }, { PORT: '99999', LOG_LEVEL: 'chatty' });
    expect(error.message).toContain("http.port (from PORT): must be 0–65535, got '99999'");
    expect(error.message).toContain('logLevel (from LOG_LEVEL): must be one of');
  });
});

describe('loadConfig', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sfn-bullmq-config-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads YAML and JSON', async () => {
    await writeFile(join(dir, 'a.yaml'), `activities:\n  - arn: ${ARN}\n    polls: 20\n`);
    await writeFile(join(dir, 'a.json'), JSON.stringify({ activities: [{ name: 'x', create: true }] }));
    expect((await loadConfig(join(dir, 'a.yaml'))).activities[0]?.polls).toBe(20);
    expect((await loadConfig(join(dir, 'a.json'))).activities[0]?.target).toEqual({
      kind: 'create',
      name: 'x',
    });
  });

  it('gives the line of a syntax error', async () => {
    await writeFile(join(dir, 'bad.yaml'), 'activities:\n  - arn: [unclosed\n');
    await expect(loadConfig(join(dir, 'bad.yaml'))).rejects.toThrow(/\(syntax\): .*line \d+/);
  });

  it('names a missing file', async () => {
    await expect(loadConfig(join(dir, 'none.yaml'))).rejects.toThrow(/cannot read .*none\.yaml \(ENOENT\)/);
  });

  it('accepts the example config in the repository', async () => {
    const config = await loadConfig(new URL('../config/bridge.example.yaml', import.meta.url).pathname);
    expect(config.redis.prefix).toBe('bull');
    expect(config.activities.map((a) => a.queue)).toEqual(['resize-image', 'charge-card']);
  });
});
