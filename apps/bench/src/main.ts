// `pnpm bench`: runs every benchmark (or `--only NAME`, repeatable) at `--size tiny|default`,
// prints the Markdown and writes apps/bench/results/RESULTS.md with the charts.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BENCHMARKS, isBenchmarkName, runBench, type BenchmarkName } from './run-bench.js';

const USAGE = `usage: bench [--only ${Object.keys(BENCHMARKS).join('|')}]... [--size tiny|default] [--out DIR]`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string', multiple: true },
      size: { type: 'string', default: 'default' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help === true) {
    console.log(USAGE);
    return;
  }
  const size = values.size;
  if (size !== 'tiny' && size !== 'default')
    throw new Error(`--size: tiny or default, got ${size}\n${USAGE}`);
  const only: BenchmarkName[] = [];
  for (const name of values.only ?? []) {
    if (!isBenchmarkName(name)) throw new Error(`--only: unknown benchmark ${name}\n${USAGE}`);
    only.push(name);
  }
  const outDir = values.out ?? fileURLToPath(new URL('../results/', import.meta.url));
  const { markdown } = await runBench({ size, outDir, ...(only.length > 0 ? { only } : {}) });
  console.log(markdown);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
