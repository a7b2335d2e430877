// The AWS SDK client for the app's control-plane calls (CreateActivity, CreateStateMachine,
// StartExecution, DescribeExecution): the SDK is best at those; the activity calls go through SfnActivityClient.
import { SFNClient, type SFNClientConfig } from '@aws-sdk/client-sfn';
import type { SfnConnectionOptions } from '@sfn-bullmq/protocol';

/** A plain SDK client for the connection; a call that hangs fails after 10 s and is retried by the SDK. */
export function controlPlaneClient(sfn: SfnConnectionOptions): SFNClient {
  // Absent options are left to the SDK's own chains (AWS_REGION, profiles, the credential provider chain).
  const config: SFNClientConfig = {
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 10_000, throwOnRequestTimeout: true },
  };
  if (sfn.region !== undefined) config.region = sfn.region;
  if (sfn.endpoint !== undefined) config.endpoint = sfn.endpoint;
  if (sfn.credentials !== undefined) config.credentials = sfn.credentials;
  return new SFNClient(config);
}
