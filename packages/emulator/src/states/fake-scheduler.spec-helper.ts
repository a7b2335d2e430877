// A TaskScheduler for unit specs: records each scheduled task and lets the spec play the broker
// (start it, close it, see whether it was cancelled).

import type {
  ActivityTaskHandle,
  ActivityTaskListener,
  ActivityTaskOutcome,
  ActivityTaskRequest,
  TaskScheduler,
} from '../task-scheduler.js';

export interface ScheduledTask {
  request: ActivityTaskRequest;
  cancelled: boolean;
  start(workerName?: string): void;
  close(outcome: ActivityTaskOutcome): void;
}

export class FakeScheduler implements TaskScheduler {
  readonly activities = new Set<string>();
  readonly tasks: ScheduledTask[] = [];

  hasActivity(activityArn: string): boolean {
    return this.activities.has(activityArn);
  }

  schedule(request: ActivityTaskRequest, listener: ActivityTaskListener): ActivityTaskHandle {
    const task: ScheduledTask = {
      request,
      cancelled: false,
      start: (workerName) => listener.onStarted(workerName),
      close: (outcome) => listener.onClosed(outcome),
    };
    this.tasks.push(task);
    return {
      cancel: () => {
        task.cancelled = true;
      },
    };
  }

  /** The most recently scheduled task. */
  last(): ScheduledTask {
    const task = this.tasks[this.tasks.length - 1];
    if (!task) throw new Error('no task scheduled');
    return task;
  }
}
