export {
  INVALID_JOB_ERROR,
  InvalidJobError,
  isInvalidJobError,
  isTaskToken,
  jobIdForToken,
  parseActivityJob,
  parseTaskInput,
  tokenDigest,
} from './activity-job.js';
export type { ActivityJobData } from './activity-job.js';
export { InvalidActivityArnError, activityArn, isAwsRegion, parseActivityArn } from './activity-arn.js';
export {
  InvalidOptionError,
  formatOptionIssue,
  isInvalidOptionError,
  showOptionValue,
} from './invalid-option-error.js';
export type { InvalidOptionShape, OptionIssue } from './invalid-option-error.js';
export type { ActivityArnParts } from './activity-arn.js';
export { fullJitterBackoffMs } from './backoff.js';
export { ENQUEUE_FAILED_ERROR, SFN_LIMITS } from './limits.js';
export { InvalidClientOptionError } from './invalid-client-option-error.js';
export { SfnCallError, SfnRequestTimeoutError, SfnResponseError } from './sfn-call-errors.js';
export {
  DEFAULT_POLL_REQUEST_TIMEOUT_MS,
  MIN_POLL_REQUEST_TIMEOUT_MS,
  compileActivityClientOptions,
} from './activity-client-options.js';
export type {
  ActivityClientOptions,
  CompiledActivityClientOptions,
  SfnConnectionOptions,
} from './activity-client-options.js';
export { SfnActivityClient } from './activity-client.js';
/** The client's SigV4 signer, exported for the signing benchmark (apps/bench) and for callers who sign their own calls. */
export { SigV4Signer, type SignableRequest, type SigningCredentials } from './sigv4.js';
export { createPollingActivityClient, createSendActivityClient } from './activity-client-factories.js';
export type { PolledTask } from './activity-client.js';
export {
  isActivityMissingError,
  isNetworkError,
  isTaskGoneError,
  isThrottlingError,
  isTransientError,
  isWorkerLimitError,
  sfnErrorName,
} from './sfn-errors.js';
export {
  RedisEvictionPolicyError,
  SAFE_EVICTION_POLICY,
  assertRedisKeepsJobs,
  evictionPolicyProblem,
  isRedisEvictionPolicyError,
  persistenceWarning,
  readRedisSettings,
} from './redis-safety.js';
export type {
  AssertRedisKeepsJobsOptions,
  RedisClusterReader,
  RedisCommandCaller,
  RedisInfoReader,
  RedisPersistence,
  RedisSettingsReader,
  RedisSettings,
  RedisSettingsSource,
} from './redis-safety.js';
export { RedisSafetyMonitor } from './redis-safety-monitor.js';
export type {
  RedisSafetyMonitorOptions,
  RedisSafetyState,
  RedisSafetyStatus,
  SafetyLogger,
  WatchedRedis,
} from './redis-safety-monitor.js';
export {
  hashTagOf,
  isClusterClient,
  isClusterConnection,
  isClusterConnectionOptions,
  queueSlotIssue,
  redisConnectionIssues,
} from './redis-connection.js';
export type {
  QueueSlotOptionNames,
  RedisClusterConnectionOptions,
  RedisClusterNode,
} from './redis-connection.js';
