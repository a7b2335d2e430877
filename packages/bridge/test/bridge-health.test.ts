// Health that tells the truth: a Bridge whose polls all fail (nothing listens on the endpoint,
// or every call is answered HTTP 5xx) is not ready, says why, emits the change and logs it once.
import { setTimeout as sleep } from 'node:timers/promises';
import type {} from '@sfn-bullmq/test-support/vitest-global-setup';
import { startEmulator } from '@sfn-bullmq/emulator';
import { findFreePort, uniqueName } from '@sfn-bullmq/test-support';
import { pino } from 'pino';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { Bridge, type ActivityStatus, type BridgeOptions } from '../src/index.js';
import { CREDENTIALS, until } from './harness.js';

const redisUrl = inject('redisUrl');
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface LogLine {
  level: number;
  msg: string;
  component?: string;
}

function healthBridge(endpoint: string, activityArn: string, options: Partial<BridgeOptions> = {}) {
  const lines: LogLine[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => lines.push(JSON.parse(line) as LogLine) },
  );
  const changes: ActivityStatus[] = [];
  const bridge = new Bridge({
    connection: { url: redisUrl },
    prefix: uniqueName('bull'),
    sfn: { region: 'us-east-1', endpoint, credentials: CREDENTIALS },
    workerName: 'health-test',
    activities: [{ activityArn, polls: 20, unhealthyAfterMs: 1_000, pollBackoffMaxMs: 200 }],
    drainTimeoutMs: 5_000,
    logger,
    ...options,
  });
  bridge.on('activityStateChange', (status: ActivityStatus) => changes.push(status));
  cleanups.push(() => bridge.close({ force: true }));
  return { bridge, lines, changes };
}

const ARN = 'arn:aws:states:us-east-1:123456789012:activity:unreachable';

describe('Bridge health', () => {
  it('is not ready when nothing listens on the Step Functions endpoint, and says which call failed where', async () => {
    const endpoint = `http://127.0.0.1:${await findFreePort()}`;
    const { bridge, lines, changes } = healthBridge(endpoint, ARN);
    await bridge.start();
    await until(() => !bridge.isReady(), 10_000, 'not ready');
    expect(bridge.status().activities[0]).toMatchObject({ state: 'failing', healthy: false });
    expect(bridge.notReadyReason()).toContain(`GetActivityTask to ${endpoint}: connect ECONNREFUSED`);
    expect(changes.map((c) => c.state)).toEqual(['failing']);
    // One error line for the change, however many polls failed; every line names its component once.
    await sleep(500);
    expect(lines.filter((line) => line.level === 50 && line.msg.includes('pool unhealthy'))).toHaveLength(1);
    expect(lines.every((line) => line.component === 'bridge')).toBe(true);
  });

  it('is not ready while every poll is answered HTTP 5xx, and ready again once polls are answered', async () => {
    const emulator = await startEmulator({ pollTimeoutMs: 300, faults: { errorRate: 1 } });
    cleanups.push(() => emulator.close());
    const arn = emulator.createActivity(uniqueName('five-hundred'));
    const { bridge, lines, changes } = healthBridge(emulator.endpoint, arn);
    await bridge.start();
    await until(() => bridge.status().activities[0]?.state === 'failing', 10_000, 'failing');
    expect(bridge.isReady()).toBe(false);
    expect(bridge.notReadyReason()).toMatch(/GetActivityTask to http:\/\/127\.0\.0\.1:\d+: .*(500|503)/);

    emulator.setFaults({ errorRate: 0 });
    await until(() => bridge.isReady(), 10_000, 'ready again');
    expect(changes.map((c) => c.state)).toEqual(['failing', 'running']);
    expect(lines.filter((line) => line.msg === 'a poll answered again: pool healthy')).toHaveLength(1);
  });
});
