// Glue between a scenario and vitest: start it in the test, show the child logs when the
// test fails, always tear every process down, and append the scenario's row to the results file.
import { inject, onTestFailed, onTestFinished } from 'vitest';
import { appendResult, type ResultRow } from './results.js';
import { Scenario, type ScenarioOptions } from './scenario.js';

/**
 * Runs `body` on a fresh scenario. On failure the last lines of every child's log are printed
 * (and the folder with the full logs is kept); in every case every child is killed.
 */
export async function runScenario(
  options: ScenarioOptions,
  body: (scenario: Scenario) => Promise<ResultRow>,
): Promise<void> {
  const scenario = await Scenario.start(options);
  let failed = false;
  const showLogs = (): void => {
    if (failed) return;
    failed = true;
    process.stdout.write(
      `\n[scenario ${options.scenario}] failed; logs kept in ${scenario.dir}\n${scenario.processes.tails()}\n`,
    );
  };
  // Also when the test fails for another reason than the body throwing (its timeout), and then the body
  // never returns: teardown must not wait for it.
  onTestFailed(showLogs);
  onTestFinished((context) => {
    if (context.task.result?.state === 'fail') showLogs();
    return scenario.close({ keepLogs: failed });
  });
  try {
    const row = await body(scenario);
    appendResult(inject('resultsFile'), row);
  } catch (error) {
    showLogs();
    throw error;
  } finally {
    await scenario.close({ keepLogs: failed });
  }
}
