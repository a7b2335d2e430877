// The emulator's figures: per-activity stats, execution counts, and the totals summed across activities.
import type { ActivityStats } from './activity-broker.js';
import type { ExecutionCounts } from './states/index.js';

/** Executions by status, as the state-machine engine counts them. */
export type ExecutionStats = ExecutionCounts;

export interface EmulatorStats {
  activities: Record<string, ActivityStats>;
  /** Executions by status, from the state-machine engine. */
  executions?: ExecutionStats;
  totals: {
    openPolls: number;
    /** Scheduled or started, not closed. */
    openTasks: number;
    waiting: number;
    scheduled: number;
    started: number;
    succeeded: number;
    failed: number;
    timedOut: number;
    heartbeats: number;
    lostTokens: { total: number; droppedByFault: number; clientGone: number };
    /** API requests answered, by outcome. */
    requests: number;
    throttled: number;
    injectedErrors: number;
    /**
     * Unexpected errors: HTTP 500 answers that no fault injected, plus executions failed with States.Runtime
     * by one. 0 unless the emulator has a bug or meets data past a limit it does not check.
     */
    internalErrors: number;
  };
}

/** Sums the per-activity figures into the totals; `extra` carries what only the emulator counts. */
export function summarizeStats(
  activities: Record<string, ActivityStats>,
  executions: ExecutionStats,
  extra: {
    openTasks: number;
    requests: number;
    throttled: number;
    injectedErrors: number;
    internalErrors: number;
  },
): EmulatorStats {
  const totals: EmulatorStats['totals'] = {
    openPolls: 0,
    waiting: 0,
    scheduled: 0,
    started: 0,
    succeeded: 0,
    failed: 0,
    timedOut: 0,
    heartbeats: 0,
    lostTokens: { total: 0, droppedByFault: 0, clientGone: 0 },
    ...extra,
  };
  for (const activity of Object.values(activities)) {
    totals.openPolls += activity.openPolls;
    totals.waiting += activity.waiting;
    totals.scheduled += activity.scheduled;
    totals.started += activity.started;
    totals.succeeded += activity.succeeded;
    totals.failed += activity.failed;
    totals.timedOut += activity.timedOut;
    totals.heartbeats += activity.heartbeats;
    totals.lostTokens.total += activity.lostTokens.total;
    totals.lostTokens.droppedByFault += activity.lostTokens.droppedByFault;
    totals.lostTokens.clientGone += activity.lostTokens.clientGone;
  }
  return { activities, executions, totals };
}
