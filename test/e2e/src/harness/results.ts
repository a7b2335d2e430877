// One row per scenario for the suite's table: collected in a JSON-lines file that the
// global setup names, and printed as Markdown once every scenario file has run.
import { appendFileSync, readFileSync } from 'node:fs';

export interface ResultRow {
  /** '1'…'10', for ordering. */
  scenario: string;
  title: string;
  executions: number;
  succeeded: number;
  failedExpected: number;
  failedUnexpected: number;
  /**
   * The emulator's count by cause, plus (scenario 5) `inFlight`: tokens lost with a killed process that the
   * emulator counted as delivered (written to a socket whose peer had died, or read and not yet stored).
   */
  lostTokens: { total: number; droppedByFault: number; clientGone: number; inFlight?: number };
  /** Activity tasks closed by TimeoutSeconds/HeartbeatSeconds (each one retried by the state machine). */
  timedOutTasks: number;
  /** Tasks whose handler ran more than once. */
  handlerRunsOver1: number;
  /** Outcomes re-sent by a later attempt (handler not run again). */
  resentOutcomes: number;
  /** Scheduled → started (the emulator's histogram), ms. */
  waitP50Ms: number;
  waitP99Ms: number;
  wallSeconds: number;
  notes: string;
}

export function appendResult(file: string, row: ResultRow): void {
  appendFileSync(file, `${JSON.stringify(row)}\n`);
}

export function readResults(file: string): ResultRow[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ResultRow)
    .sort((a, b) => a.scenario.localeCompare(b.scenario, 'en', { numeric: true }));
}

export function renderResults(rows: readonly ResultRow[], size: string): string {
  const header = [
    'scenario',
    'executions',
    'succeeded',
    'failed (expected / unexpected)',
    'tokens lost (cause)',
    'tasks timed out → retried',
    'handler runs > 1',
    'outcomes re-sent',
    'scheduled → started p50 / p99 (ms)',
    'wall (s)',
  ];
  const lines = [
    `Fault suite, size ${size}:`,
    '',
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
  ];
  for (const row of rows) {
    const lost = row.lostTokens;
    const causes = [
      lost.clientGone > 0 ? `${lost.clientGone} client gone` : '',
      lost.droppedByFault > 0 ? `${lost.droppedByFault} dropped` : '',
      (lost.inFlight ?? 0) > 0 ? `${lost.inFlight} in flight at the kill` : '',
    ].filter((part) => part !== '');
    lines.push(
      `| ${[
        `${row.scenario}. ${row.title}`,
        row.executions,
        row.succeeded,
        `${row.failedExpected} / ${row.failedUnexpected}`,
        causes.length > 0 ? `${lost.total} (${causes.join(', ')})` : String(lost.total),
        row.timedOutTasks,
        row.handlerRunsOver1,
        row.resentOutcomes,
        `${row.waitP50Ms} / ${row.waitP99Ms}`,
        row.wallSeconds.toFixed(1),
      ].join(' | ')} |`,
    );
  }
  const notes = rows.filter((row) => row.notes !== '').map((row) => `- ${row.scenario}: ${row.notes}`);
  if (notes.length > 0) lines.push('', ...notes);
  return lines.join('\n');
}
