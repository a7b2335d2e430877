// Where the contract suite runs: a freshly started emulator (always), or real AWS Step
// Functions when SFN_CONTRACT_AWS=1 and credentials are given. Reusable by every contract file.
import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import {
  CreateActivityCommand,
  DeleteActivityCommand,
  SFNClient,
  type SFNClientConfig,
} from '@aws-sdk/client-sfn';
import { uniqueName } from '@sfn-bullmq/test-support';
import { afterEach } from 'vitest';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/index.js';

/** True when the suite is pointed at real AWS (opt-in, with credentials). */
export const onAws =
  process.env['SFN_CONTRACT_AWS'] === '1' &&
  (process.env['AWS_ACCESS_KEY_ID'] !== undefined || process.env['AWS_PROFILE'] !== undefined);

// Behaviour only the emulator can show (faults, stats, scheduleTask) goes in `describe.skipIf(onAws)`.

export interface ContractTarget {
  /** Control and Send* calls, SDK retries on. */
  client: SFNClient;
  /** GetActivityTask calls: sockets sized above `maxPolls`, one attempt (docs/aws-sdk.md#sockets-per-origin). */
  pollClient: SFNClient;
  /** The emulator, when the target is one; absent on AWS. */
  emulator: Emulator | undefined;
  /** Creates an activity with a unique name, deleted again by `close()`. */
  createActivity(prefix?: string): Promise<string>;
  /** Deletes what this target created, closes clients and the emulator. Idempotent. */
  close(): Promise<void>;
}

export interface TargetOptions {
  /** Options for the emulator (ignored on AWS). pollTimeoutMs defaults to 2,000 here. */
  emulator?: EmulatorOptions;
  /** Concurrent polls the poll client must carry. @default 64 */
  maxPolls?: number;
  /** SDK attempts of the control client. @default 3 */
  maxAttempts?: number;
}

/**
 * Call inside a `describe` whose tests each start their own target: returns `start(options)`,
 * and closes the target a test started after that test.
 */
export function useTargetPerTest(): (options?: TargetOptions) => Promise<ContractTarget> {
  let target: ContractTarget | undefined;
  afterEach(async () => {
    await target?.close();
    target = undefined;
  });
  return async (options = {}) => {
    target = await startTarget(options);
    return target;
  };
}

export async function startTarget(options: TargetOptions = {}): Promise<ContractTarget> {
  const maxPolls = options.maxPolls ?? 64;
  let emulator: Emulator | undefined;
  let connection: SFNClientConfig;
  if (onAws) {
    connection = {};
  } else {
    emulator = await startEmulator({ pollTimeoutMs: 2000, ...options.emulator });
    connection = {
      endpoint: emulator.endpoint,
      region: emulator.region,
      credentials: { accessKeyId: 'contract', secretAccessKey: 'contract' },
    };
  }
  const client = new SFNClient({
    ...connection,
    maxAttempts: options.maxAttempts ?? 3,
    requestHandler: {
      httpAgent: new Agent({ keepAlive: true, maxSockets: 64 }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 64 }),
    },
  });
  const pollClient = new SFNClient({
    ...connection,
    maxAttempts: 1,
    requestHandler: {
      httpAgent: new Agent({ keepAlive: true, maxSockets: maxPolls + 16 }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: maxPolls + 16 }),
      requestTimeout: 75_000,
    },
  });
  const created: string[] = [];
  let closing: Promise<void> | undefined;
  return {
    client,
    pollClient,
    emulator,
    async createActivity(prefix = 'contract') {
      const result = await client.send(new CreateActivityCommand({ name: uniqueName(prefix).slice(0, 80) }));
      created.push(result.activityArn!);
      return result.activityArn!;
    },
    close() {
      closing ??= (async () => {
        await Promise.allSettled(
          created.map((activityArn) => client.send(new DeleteActivityCommand({ activityArn }))),
        );
        client.destroy();
        pollClient.destroy();
        await emulator?.close();
      })();
      return closing;
    },
  };
}
