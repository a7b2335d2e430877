// The AWS SDK clients the benchmarks' "SDK baseline" runs use, set up as a careful SDK user would for
// activity long polls: a polling client with sockets above its polls and no retry, a send client apart.
import { Agent as HttpAgent } from 'node:http';
import { SFNClient, type SFNClientConfig } from '@aws-sdk/client-sfn';

type Connection = Pick<SFNClientConfig, 'endpoint' | 'region' | 'credentials'>;

/** Polls: sockets above the polls (the default 50 would queue them), one attempt, no timeout under 65 s. */
export function sdkPollingClient(connection: Connection, maxConcurrentPolls: number): SFNClient {
  return new SFNClient({
    ...connection,
    maxAttempts: 1,
    requestHandler: {
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: maxConcurrentPolls + 16 }),
      connectionTimeout: 10_000,
      requestTimeout: 75_000,
      throwOnRequestTimeout: true,
    },
  });
}

/** Send* and StartExecution: their own sockets, the SDK's retries. */
export function sdkSendClient(connection: Connection, maxSockets: number): SFNClient {
  return new SFNClient({
    ...connection,
    maxAttempts: 3,
    requestHandler: {
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
      connectionTimeout: 5_000,
      requestTimeout: 10_000,
      throwOnRequestTimeout: true,
    },
  });
}
