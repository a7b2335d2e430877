// The public API of @sfn-bullmq/worker: run a Step Functions activity handler
// as a BullMQ processor, with heartbeats, cancellation and crash-safe reporting.
export { ActivityCancelledError, cancelReasonOf } from './activity-cancelled-error.js';
export type { CancelReason } from './activity-cancelled-error.js';
export type { ActivityContext, ActivityHandler, ActivityInfo } from './activity-context.js';
export { ActivityFailure } from './activity-failure.js';
export { activityProcessor } from './activity-processor.js';
export type { StoredActivityJobData } from './activity-run.js';
export { ActivityWorker } from './activity-worker.js';
// For a BullMQ Worker built around activityProcessor(): the check ActivityWorker makes at start.
export {
  RedisEvictionPolicyError,
  assertRedisKeepsJobs,
  isRedisEvictionPolicyError,
  persistenceWarning,
} from '@sfn-bullmq/protocol';
export type { RedisSafetyStatus, RedisSettings } from '@sfn-bullmq/protocol';
export type { ActivityWorkerState } from './activity-worker.js';
export { InvalidWorkerOptionError } from './invalid-worker-option-error.js';
// The checks ActivityWorker makes of its options (pure, no I/O), for apps that map their own config onto
// them, and the predicate that recognises any of our option errors (from either build).
export { compileActivityWorkerOptions } from './worker-options.js';
export type { CompiledActivityWorkerOptions } from './worker-options.js';
export { isInvalidOptionError } from '@sfn-bullmq/protocol';
export type { OptionIssue } from '@sfn-bullmq/protocol';
export { INVALID_TOKEN_JOB_ERROR, TASK_GONE_JOB_ERROR } from './job-end.js';
export {
  InvalidTokenError,
  RefusedJobError,
  ReportedFailureError,
  TaskGoneError,
  WorkerShutdownError,
  jobEndErrorOf,
} from './job-end-errors.js';
export type { FinalJobEndError } from './job-end-errors.js';
export type { ActivityJobResult } from './job-end.js';
export type { ActivityProcessorHooks, ActivityProcessorOptions } from './processor-options.js';
export type {
  ActivityRunObservation,
  ActivityRunObserver,
  ObservedRun,
  RunEnd,
  RunOutcome,
  SendCall,
} from './run-observer.js';
export { ReportFailedError } from './task-reporter.js';
export {
  OUTPUT_NOT_JSON_ERROR,
  OUTPUT_TOO_LARGE_ERROR,
  UNREADABLE_ERROR,
  WORKER_SHUTDOWN_ERROR,
  failureOutcome,
  successOutcome,
} from './task-outcome.js';
export type { FailureCause, StoredOutcome } from './task-outcome.js';
export { activityClientTaskSender } from './task-sender.js';
export type { ActivitySendClient, TaskSender } from './task-sender.js';
export type { ActivityWorkerOptions, WorkerClusterConnection } from './worker-options.js';
