import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runBench } from '../src/run-bench.js';
import { summarize } from '../src/latency-samples.js';
import { barChart, lineChart } from '../src/svg-chart.js';

// Runs the whole harness at tiny size so it cannot rot. Asserts on shape and finiteness, never on times.
describe('benchmark harness', () => {
  let outDir: string | undefined;
  afterEach(async () => {
    if (outDir !== undefined) await rm(outDir, { recursive: true, force: true });
    outDir = undefined;
  });

  it(
    'runs every benchmark at tiny size and writes tables, charts and finite figures',
    { timeout: 180_000 },
    async () => {
      outDir = await mkdtemp(join(tmpdir(), 'sfn-bench-'));
      const lines: string[] = [];
      const { results, files } = await runBench({ size: 'tiny', outDir, log: (line) => lines.push(line) });

      expect(results.map((r) => r.title)).toEqual([
        'Latency lab: the dropped-token stall',
        'End to end: throughput and latency against peers',
        'Profile: where one task’s CPU goes',
        'Cost',
        'Part benchmarks',
        'Queued heartbeats at 10,000 waiting tasks',
        'End-to-end throughput: Redis Cluster against one node',
      ]);
      const markdown = await readFile(join(outDir, 'RESULTS.md'), 'utf8');
      expect(markdown).toContain('| open polls | faults |');
      expect(markdown).toContain('| system | concurrency | tasks | tasks/s |');
      expect(markdown).toContain('| figure | value | how measured |');
      expect(markdown).toContain('CPU µs per task, bridge-or-peer + worker | ÷ bare BullMQ |');
      expect(markdown).toContain('### bridge: ');
      expect(markdown).toContain('### worker: ');
      for (const chart of ['latency-lab-p99.svg', 'end-to-end-throughput.svg']) {
        expect(files).toContain(join(outDir, chart));
        const svg = await readFile(join(outDir, chart), 'utf8');
        expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
        expect(svg).not.toContain('NaN');
      }
      // Every figure in the tables is a number or a marked n/a; no NaN or Infinity leaked into them.
      expect(markdown).not.toMatch(/NaN|Infinity/);
      const lab = results[0] as unknown as {
        rows: { pickup: { p50: number; p99: number }; handled: number }[];
      };
      for (const row of lab.rows) {
        expect(Number.isFinite(row.pickup.p50) && Number.isFinite(row.pickup.p99)).toBe(true);
        expect(row.handled).toBeGreaterThan(0);
      }
      const e2e = results[1] as unknown as { rows: { tasksPerSecond: number; timedOut: boolean }[] };
      for (const row of e2e.rows) {
        expect(row.timedOut).toBe(false);
        expect(Number.isFinite(row.tasksPerSecond) && row.tasksPerSecond > 0).toBe(true);
      }
      const cost = results[3] as unknown as { figures: Record<string, number> };
      for (const value of Object.values(cost.figures)) expect(Number.isFinite(value)).toBe(true);
      expect(lines.some((line) => line.includes('latency lab'))).toBe(true);
    },
  );

  it('computes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(summarize(values)).toEqual({ count: 100, p50: 50, p99: 99, max: 100 });
    expect(summarize([])).toEqual({ count: 0, p50: 0, p99: 0, max: 0 });
  });

  it('draws one polyline per series and one bar per value', () => {
    const line = lineChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      logX: true,
      logY: true,
      series: [
        {
          name: 'a',
          points: [
            { x: 1, y: 2000 },
            { x: 100, y: 5 },
          ],
        },
        {
          name: 'b',
          points: [
            { x: 1, y: 10 },
            { x: 100, y: 4 },
          ],
        },
      ],
    });
    expect(line.match(/<polyline/g)).toHaveLength(2);
    const bars = barChart({
      title: 't',
      yLabel: 'y',
      groups: ['g1', 'g2'],
      series: [{ name: 's', values: [1, 2] }],
    });
    expect(bars.match(/<rect class="bar"/g)).toHaveLength(2);
  });
});
