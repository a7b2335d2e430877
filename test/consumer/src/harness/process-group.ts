// Children run in process groups of their own, so that a stop reaches what they started too
// (npx runs the bin under a shell; dev starts worker processes), and none outlives the test process.
import type { ChildProcess } from 'node:child_process';

/** Sends `signal` to the child's whole process group (it was spawned with `detached: true`). */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone (every member exited) between the check and the kill.
  }
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) signalGroup(child, 'SIGKILL');
});

/** Kills the child's group if the test process exits while the child still runs (a teardown that never ran). */
export function killOnTestExit(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
}
