// Latency samples kept whole (a benchmark run holds at most a few hundred thousand),
// so percentiles are exact; summaries travel between processes as plain objects.

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export class LatencySamples {
  private values: number[] = [];

  record(ms: number): void {
    this.values.push(ms < 0 ? 0 : ms);
  }

  /** Returns the summary of everything recorded since the last take, and starts afresh. */
  take(): LatencySummary {
    const summary = summarize(this.values);
    this.values = [];
    return summary;
  }
}

/** Nearest-rank percentiles; zeros for no samples. */
export function summarize(values: readonly number[]): LatencySummary {
  if (values.length === 0) return { count: 0, p50: 0, p99: 0, max: 0 };
  const sorted = Float64Array.from(values).sort();
  const rank = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { count: sorted.length, p50: rank(0.5), p99: rank(0.99), max: sorted[sorted.length - 1]! };
}

/** Milliseconds on a clock comparable across processes of one machine (sub-millisecond resolution). */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}
