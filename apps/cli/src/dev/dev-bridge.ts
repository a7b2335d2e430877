// Dev's bridge: the same config path as `sfn-bullmq bridge` (compileConfig → BridgeService),
// polling the sample's activities or those of the user's definition.
import type { SfnConnectionOptions } from '@sfn-bullmq/protocol';
import type { Logger } from 'pino';
import { BridgeService } from '../bridge-service.js';
import { compileConfig } from '../config/compile-config.js';
import type { BoardCredentials } from '../http/board-auth.js';
import type { DevOptions } from './dev-options.js';
import type { DevStack } from './dev-stack.js';

export interface DevBridgeOptions {
  options: DevOptions;
  redisUrl: string;
  sfn: SfnConnectionOptions;
  /** The activities to poll, one pool each (its queue is named after the activity). */
  activityArns: readonly string[];
  logger: Logger;
  boardCredentials: BoardCredentials | undefined;
}

/** Starts the bridge and its HTTP surface into `stack` (so close() stops it even when its start fails); resolves once its polls are open. */
export async function startDevBridge(parts: DevBridgeOptions, stack: DevStack): Promise<BridgeService> {
  const { options, sfn } = parts;
  const config = compileConfig(
    {
      logLevel: options.logLevel,
      redis: { url: parts.redisUrl },
      stepFunctions: { region: options.region, ...(sfn.endpoint ? { endpoint: sfn.endpoint } : {}) },
      http: { host: options.host, port: options.port },
      activities: parts.activityArns.map((arn) => ({ arn, polls: options.polls })),
    },
    {},
  );
  const service = await BridgeService.start({
    config,
    logger: parts.logger,
    portHint: 'pick another with --port N',
    ...(sfn.credentials ? { sfnCredentials: sfn.credentials } : {}),
    ...(parts.boardCredentials ? { boardCredentials: parts.boardCredentials } : {}),
  });
  stack.service = service;
  await service.started;
  return service;
}
