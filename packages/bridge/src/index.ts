// @sfn-bullmq/bridge: pools of long polls per Step Functions activity ARN, each
// task token turned into exactly one BullMQ job. The public API, named exports only.
export { Bridge } from './bridge.js';
export type { BridgeState, BridgeStatus } from './bridge.js';
export { ActivityPoller } from './activity-poller.js';
export type {
  ActivityPollerCloseOptions,
  ActivityPollerCloseResult,
  ActivityPollerDeps,
  ActivityPollerState,
  ActivityStatus,
} from './activity-poller.js';
export {
  DEFAULT_MAX_WAITING,
  DEFAULT_REMOVE_ON_COMPLETE,
  DEFAULT_REMOVE_ON_FAIL,
  InvalidBridgeOptionError,
  compileActivityPollerOptions,
  compileBridgeOptions,
  defaultWorkerName,
} from './bridge-options.js';
export type {
  ActivityPollerOptions,
  BridgeJobOptions,
  BridgeOptions,
  CompiledActivityPollerOptions,
  CompiledBridgeOptions,
  CompiledJobOptions,
  JobRetention,
} from './bridge-options.js';
export type { RedisSafetyState, RedisSafetyStatus } from '@sfn-bullmq/protocol';
export { BridgeMetrics } from './bridge-metrics.js';
// The time a pool reads, for `ActivityPollerDeps.clock`.
export type { Clock, ClockTimer } from './clock.js';
export type { ActivityJobQueue, ActivityTaskSource, TaskFailureReporter } from './ports.js';
export type { ReceivedToken, TokenObservation, TokenObserver } from './token-observer.js';
// The shape ActivityTaskSource returns, so a custom source needs no second import.
export type { PolledTask } from '@sfn-bullmq/protocol';
