// A fixed-memory histogram of durations in milliseconds, for wait-time percentiles:
// exact below 128 ms, then 16 buckets per doubling (about 4 % resolution).

const LINEAR = 128;
const SUB = 16;
const OCTAVES = 32;

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export class LatencyHistogram {
  private readonly buckets = new Float64Array(LINEAR + SUB * OCTAVES);
  private count = 0;
  private max = 0;

  record(ms: number): void {
    const value = ms < 0 ? 0 : ms;
    this.buckets[bucketOf(value)]! += 1;
    this.count += 1;
    if (value > this.max) this.max = value;
  }

  summary(): LatencySummary {
    return { count: this.count, p50: this.quantile(0.5), p99: this.quantile(0.99), max: round(this.max) };
  }

  private quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let index = 0; index < this.buckets.length; index += 1) {
      seen += this.buckets[index]!;
      if (seen >= rank) return round(Math.min(upperBound(index), this.max));
    }
    return round(this.max);
  }
}

function bucketOf(value: number): number {
  if (value < LINEAR) return Math.floor(value);
  const octave = Math.floor(Math.log2(value / LINEAR));
  const base = LINEAR * 2 ** octave;
  const sub = Math.min(SUB - 1, Math.floor(((value - base) / base) * SUB));
  return Math.min(LINEAR + octave * SUB + sub, LINEAR + SUB * OCTAVES - 1);
}

function upperBound(index: number): number {
  if (index < LINEAR) return index + 1;
  const octave = Math.floor((index - LINEAR) / SUB);
  const sub = (index - LINEAR) % SUB;
  const base = LINEAR * 2 ** octave;
  return base + ((sub + 1) * base) / SUB;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
