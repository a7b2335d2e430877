// @sfn-bullmq/bench: the benchmark runner, for the CLI (src/main.ts) and the smoke test.
export { BENCHMARKS, isBenchmarkName, runBench } from './run-bench.js';
export type { BenchmarkName, RunBenchOptions, RunBenchResult } from './run-bench.js';
export type { BenchResult, BenchSize } from './bench-context.js';
export { barChart, lineChart } from './svg-chart.js';
export { summarize } from './latency-samples.js';
export type { LatencySummary } from './latency-samples.js';
