import type { SeriesPoint } from '../model/metric.js';

/**
 * One reading of a counter: a counter's value, or the observation count
 * of a histogram or summary.
 */
export interface CounterReading {
  /** Output series the reading adds to (its label set or group). */
  group: string;
  /** Identity of its series apart from the start time (its label set). */
  series: string;
  start_timestamp_ms: number | null;
  timestamp_ms: number;
  value: number;
  /** True for delta temporality: the value counts its own interval only. */
  delta: boolean;
}

/**
 * Increase and rate, the one definition every store follows.
 *
 * A series is service, name, labels and start time. Its readings in the
 * query range [start, end), in time order, each add an increase to the
 * interval bucket that contains the reading's timestamp:
 * - a delta reading adds its value;
 * - the first cumulative reading adds its value in full when the series'
 *   start time lies in the range (the count began at 0 inside it), and 0
 *   otherwise (the range has no earlier value to subtract);
 * - a later cumulative reading adds value - previous when the value did
 *   not go down, and its whole value when it did: a value lower than the
 *   previous one of the same start time is a reset to 0, so an increase
 *   is never negative.
 * A delta between two readings lands in the bucket of the later one, so
 * the buckets add up to the increase over the whole range. Series that
 * differ only by start time (a restarted process) add into one output
 * series. rate = increase / interval seconds.
 *
 * Example: three runs of a job, each a new start time inside a
 * 30-minute range with one reading of 1, increase by 3 over the range.
 */
export function readingIncreases(
  readings: readonly CounterReading[],
  rangeStartMs: number,
): number[] {
  let previous: CounterReading | undefined;
  return readings.map((reading) => {
    const sameSeries =
      previous !== undefined &&
      previous.series === reading.series &&
      previous.start_timestamp_ms === reading.start_timestamp_ms;
    const before = sameSeries ? previous : undefined;
    previous = reading;
    if (reading.delta) return reading.value;
    if (before === undefined) {
      const start = reading.start_timestamp_ms;
      return start !== null && start >= rangeStartMs ? reading.value : 0;
    }
    const change = reading.value - before.value;
    return change >= 0 ? change : reading.value;
  });
}

/** Options of {@link bucketIncreases}: range start, bucket width, unit. */
export interface IncreaseOptions {
  start_ms: number;
  interval_ms: number;
  /** Divide by the interval in seconds, giving the rate. */
  per_second: boolean;
}

/**
 * Sums increases per output series and epoch-aligned bucket, by the
 * definition on {@link readingIncreases}. `readings` must be sorted by
 * series, then start time, then timestamp. Every bucket that contains a
 * reading gets a point, even when its increase is 0.
 */
export function bucketIncreases(
  readings: readonly CounterReading[],
  options: IncreaseOptions,
): Map<string, SeriesPoint[]> {
  const increases = readingIncreases(readings, options.start_ms);
  const sums = new Map<string, Map<number, number>>();
  readings.forEach((reading, i) => {
    const bucket =
      Math.floor(reading.timestamp_ms / options.interval_ms) *
      options.interval_ms;
    let buckets = sums.get(reading.group);
    if (!buckets) {
      buckets = new Map();
      sums.set(reading.group, buckets);
    }
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + (increases[i] as number));
  });

  const divisor = options.per_second ? options.interval_ms / 1_000 : 1;
  const series = new Map<string, SeriesPoint[]>();
  for (const [group, buckets] of sums) {
    const points = [...buckets.entries()]
      .sort(([a], [b]) => a - b)
      .map(([timestamp_ms, increase]) => ({
        timestamp_ms,
        value: increase / divisor,
      }));
    series.set(group, points);
  }
  return series;
}
