// `activityProcessor()`: the plain BullMQ processor, for teams that build
// their own `Worker`; `ActivityWorker` wraps the same runner with everything set.
import type { ActivityJobData } from '@sfn-bullmq/protocol';
import type { Processor } from 'bullmq';
import type { ActivityHandler } from './activity-context.js';
import { ActivityRunner } from './activity-runner.js';
import { InvalidWorkerOptionError } from './invalid-worker-option-error.js';
import type { ActivityJobResult } from './job-end.js';
import { compileActivityProcessorOptions, type ActivityProcessorOptions } from './processor-options.js';
import { openTaskSender } from './task-sender.js';

/**
 * A BullMQ processor that runs `handler` for jobs made by the bridge and reports to Step Functions.
 * A job completes only when its task's success was reported; a reported failure, a closed task, a
 * refused token or invalid job data end it as failed with no BullMQ retry, its `failedReason` starting
 * with the Step Functions error name (`CardDeclined: …`, `SfnBullmq.TaskGone: …`).
 * Give your `Worker` a `lockDuration`, `stalledInterval` and `maxStalledCount` like `ActivityWorker`'s
 * defaults, so a crashed worker's job is re-run (or its stored outcome re-sent) rather than failed.
 * The activity client built from connection options (here, not while compiling) lives as long as the process;
 * to close it yourself, pass `{ sender: activityClientTaskSender(createSendActivityClient(…)) }`.
 */
export function activityProcessor<I = unknown, O = unknown>(
  handler: ActivityHandler<I, O>,
  options: ActivityProcessorOptions,
): Processor<ActivityJobData, ActivityJobResult> {
  if (typeof handler !== 'function') {
    throw new InvalidWorkerOptionError('handler', handler, 'must be a function');
  }
  const compiled = compileActivityProcessorOptions(options);
  const { sender } = openTaskSender(compiled.sfn);
  return new ActivityRunner(handler, { ...compiled, sender }).process;
}
