// The two clients every caller wants, one per purpose (docs/aws-sdk.md#separate-clients-for-polls-and-reports):
// a polling client sized above its polls with no retry, and a send client with its own sockets and retries.
import {
  socketsForPolls,
  type ActivityClientOptions,
  type SfnConnectionOptions,
} from './activity-client-options.js';
import { SfnActivityClient } from './activity-client.js';

/** A client for GetActivityTask: sockets above the polls it carries, no retry, no timeout under 65 s. */
export function createPollingActivityClient(
  options: SfnConnectionOptions & { maxConcurrentPolls: number; pollRequestTimeoutMs?: number },
): SfnActivityClient {
  const { maxConcurrentPolls, ...rest } = options;
  return new SfnActivityClient({ ...rest, maxSockets: socketsForPolls(maxConcurrentPolls), maxAttempts: 1 });
}

/** A client for SendTaskSuccess/Failure/Heartbeat, with its own sockets and retries. */
export function createSendActivityClient(
  options: SfnConnectionOptions & Omit<ActivityClientOptions, 'pollRequestTimeoutMs'> = {},
): SfnActivityClient {
  return new SfnActivityClient(options);
}
