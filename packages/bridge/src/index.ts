// @sfn-bullmq/bridge: pools of long polls per Step Functions activity ARN, each
// task token turned into exactly one BullMQ job. The public API, named exports only.
export { Bridge } from './bridge.js';
export type { BridgeActivityStatus, BridgeState, BridgeStatus } from './bridge.js';
export type { FleetLeaseState, FleetStatus } from './fleet/fleet-lease.js';
export type {
  ActivityFleetOptions,
  BridgeFleetOptions,
  CompiledActivityFleetOptions,
  CompiledFleetOptions,
  FleetOptions,
} from './fleet/fleet-options.js';
export { fleetKey } from './fleet/fleet-store.js';
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
  BridgeClusterConnection,
  BridgeJobOptions,
  BridgeOptions,
  CompiledActivityPollerOptions,
  CompiledBridgeOptions,
  CompiledJobOptions,
  JobRetention,
} from './bridge-options.js';
export type { RedisSafetyState, RedisSafetyStatus } from '@sfn-bullmq/protocol';
export { BridgeMetrics } from './bridge-metrics.js';
// Heartbeats for tokens waiting in the queue (docs/step-functions.md#queued-heartbeats).
export {
  DEFAULT_QUEUED_HEARTBEAT_DUTY_TTL_MS,
  DEFAULT_QUEUED_HEARTBEAT_INTERVAL_MS,
  DEFAULT_QUEUED_HEARTBEATS_PER_SECOND,
} from './queued-heartbeats/queued-heartbeat-options.js';
export type {
  CompiledQueuedHeartbeatBridgeOptions,
  QueuedHeartbeatActivityOptions,
  QueuedHeartbeatBridgeOptions,
} from './queued-heartbeats/queued-heartbeat-options.js';
// The time a pool reads, for `ActivityPollerDeps.clock`.
export type { Clock, ClockTimer } from './clock.js';
export type { ActivityJobQueue, ActivityTaskSource, TaskFailureReporter } from './ports.js';
export type { ReceivedToken, TokenObservation, TokenObserver } from './token-observer.js';
// The shape ActivityTaskSource returns, so a custom source needs no second import.
export type { PolledTask } from '@sfn-bullmq/protocol';
