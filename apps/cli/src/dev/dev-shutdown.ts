// Dev's graceful stop: no new executions, the running ones finish while everything still runs
// (up to 30 s), then the stack closes and the summary says what happened, lost tokens included.
import { lostTokens, type DevStack } from './dev-stack.js';
import type { ExecutionDriver } from './execution-driver.js';
import type { Say } from './dev-output.js';

/** How long the running executions get to finish after a stop. */
const SETTLE_MS = 30_000;

export async function drainAndSummarise(
  stack: DevStack,
  driver: ExecutionDriver,
  out: NodeJS.WritableStream,
  say: Say,
  forced: () => boolean,
): Promise<void> {
  driver.stopStarting();
  say(`stopping   no new executions; waiting for ${driver.stats().running} running to finish (up to 30 s)`);
  const settled = await driver.settle(SETTLE_MS, forced);
  await stack.display?.stop();
  stack.display = undefined;
  const counts = driver.stats();
  const lost = stack.emulator ? lostTokens(stack.emulator) : undefined;
  await stack.close();
  out.write(
    `dev summary: ${counts.started} started, ${counts.succeeded} succeeded (${counts.declined} declined, handled), ` +
      `${counts.failed} failed, ${counts.timedOut} timed out, ${counts.running} still running` +
      (lost === undefined ? '' : `; lost tokens: ${lost}`) +
      `\n`,
  );
  if (!settled)
    out.write('some executions were still running at the stop; they resume when a bridge polls again\n');
}
