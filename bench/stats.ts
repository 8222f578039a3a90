/**
 * Percentile by linear interpolation between the closest ranks (Hyndman
 * and Fan type 7, as the product's own percentiles). `p` is 0 to 100.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const lower = sorted[low] as number;
  const upper = sorted[high] as number;
  return lower + (upper - lower) * (rank - low);
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Latency percentiles in milliseconds. */
export interface Latency {
  samples: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function latencyOf(values: readonly number[]): Latency {
  return {
    samples: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    max: Math.max(...values),
  };
}

/** Runs `work` `times` times in a row and returns each duration in ms. */
export async function timeEach(
  times: number,
  work: (run: number) => Promise<unknown>,
): Promise<number[]> {
  const durations: number[] = [];
  for (let run = 0; run < times; run++) {
    const started = performance.now();
    await work(run);
    durations.push(performance.now() - started);
  }
  return durations;
}

/** Rounds to `digits` significant digits, for tables and JSON. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value) || value === 0) return value;
  return Number(value.toPrecision(digits));
}
