// Step Functions limits that both sides of Redis must respect (docs/step-functions.md#limits).

export const SFN_LIMITS = {
  taskTokenMaxChars: 2048,
  /** SendTaskSuccess `output`, in bytes of UTF-8. */
  outputMaxBytes: 262_144,
  /** SendTaskFailure `error`, in characters. */
  errorMaxChars: 256,
  /** SendTaskFailure `cause`, in characters. */
  causeMaxChars: 32_768,
  /** Open GetActivityTask calls per activity ARN (hard limit of the service). */
  pollsPerActivityMax: 1000,
  activityArnMaxChars: 256,
  workerNameMaxChars: 80,
} as const;

/** The `error` a bridge reports with SendTaskFailure when it cannot store a token in Redis in time. */
export const ENQUEUE_FAILED_ERROR = 'SfnBullmq.EnqueueFailed';
