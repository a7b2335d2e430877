// The emulator's own statement of the Step Functions limits it enforces
// (docs/step-functions.md#limits). The emulator imports nothing of ours, so these are
// not shared with @sfn-bullmq/protocol's SFN_LIMITS; test/e2e checks that both agree.

export const AWS_LIMITS = {
  /** Activity, state machine and execution `name`, and `workerName`, in characters. */
  nameMaxChars: 80,
  /** Any ARN a request carries, in characters. */
  arnMaxChars: 256,
  taskTokenMaxChars: 2048,
  /** SendTaskSuccess `output`, in bytes of UTF-8. */
  outputMaxBytes: 262_144,
  /** StartExecution `input`, in bytes of UTF-8. */
  inputMaxBytes: 262_144,
  /** SendTaskFailure `error`, in characters. */
  errorMaxChars: 256,
  /** SendTaskFailure `cause`, in characters. */
  causeMaxChars: 32_768,
  /** Open GetActivityTask calls per activity ARN: the default of `maxPollsPerActivity`. */
  pollsPerActivityMax: 1000,
} as const;
