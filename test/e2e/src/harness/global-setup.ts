// Vitest global setup: names the results file every scenario file appends its row to,
// and prints the table after the last file has run (so it shows in `pnpm test`'s output).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { readResults, renderResults } from './results.js';
import { SUITE_SIZE } from './size.js';

declare module 'vitest' {
  export interface ProvidedContext {
    resultsFile: string;
  }
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'sfn-e2e-results-'));
  const file = join(dir, 'rows.jsonl');
  project.provide('resultsFile', file);
  return () => {
    const rows = readResults(file);
    if (rows.length > 0) process.stdout.write(`\n${renderResults(rows, SUITE_SIZE)}\n\n`);
    rmSync(dir, { recursive: true, force: true });
  };
}
