import type { SeriesPoint } from '../model/metric.js';
import type { DistributionSample } from './distributions.js';
import {
  type DistributionReading,
  type GroupedReading,
  readingObservations,
} from './histogram-deltas.js';

/** The aggregations that add up observations and their sums. */
export type TotalsAggregation = 'avg' | 'sum' | 'count';

/**
 * The parts of `avg`, `sum` and `count` in one time bucket. A raw value is
 * one observation. A histogram or summary point brings the count and sum
 * of the observations it adds, so `avg` is the sum of sums over the sum
 * of counts rather than an average of averages.
 */
export interface BucketTotals {
  /** Sum of the observations; null when no part carries a sum. */
  sum: number | null;
  count: number;
  /** Observations of the parts that carry a sum: the divisor of `avg`. */
  count_with_sum: number;
}

/** Totals per output series (group key) and bucket start. */
export type TotalsByGroup = Map<string, Map<number, BucketTotals>>;

/** Adds two totals; a null sum adds nothing. */
export function addTotals(a: BucketTotals, b: BucketTotals): BucketTotals {
  let sum = a.sum ?? b.sum;
  if (a.sum !== null && b.sum !== null) sum = a.sum + b.sum;
  return {
    sum,
    count: a.count + b.count,
    count_with_sum: a.count_with_sum + b.count_with_sum,
  };
}

/** Adds `totals` to one bucket of one output series. */
export function addToBucket(
  groups: TotalsByGroup,
  group: string,
  bucketMs: number,
  totals: BucketTotals,
): void {
  let buckets = groups.get(group);
  if (!buckets) {
    buckets = new Map();
    groups.set(group, buckets);
  }
  const before = buckets.get(bucketMs);
  buckets.set(bucketMs, before ? addTotals(before, totals) : totals);
}

/** Count and sum of the distribution a sample carries. */
function dataOf(sample: DistributionSample) {
  return sample.histogram ?? sample.exponential_histogram ?? sample.summary;
}

/**
 * Totals of the observations a reading adds (`observed`, from
 * `readingObservations`). A reading that adds none counts 0 observations,
 * with a sum of 0 when the point carries a sum.
 */
function readingTotals(
  reading: DistributionReading,
  observed: DistributionSample | null,
): BucketTotals {
  const data = observed && dataOf(observed);
  if (!data) {
    const carriesSum = (dataOf(reading)?.sum ?? null) !== null;
    return { sum: carriesSum ? 0 : null, count: 0, count_with_sum: 0 };
  }
  const withSum = data.sum === null ? 0 : data.count;
  return { sum: data.sum, count: data.count, count_with_sum: withSum };
}

/**
 * Adds to `groups` the observations each histogram and summary reading
 * adds, by `readingObservations` in `./histogram-deltas.ts`: a delta point
 * adds itself, and a cumulative one what it adds to the previous reading
 * of its series, so a cumulative series counts each observation once.
 * Every bucket that holds a reading gets totals, even when it adds none.
 */
export function addDistributionTotals(
  groups: TotalsByGroup,
  items: readonly GroupedReading[],
  options: { start_ms: number; interval_ms: number },
): void {
  const readings = items.map((item) => item.reading);
  const observed = readingObservations(readings, options.start_ms);
  items.forEach(({ group, reading }, i) => {
    const bucketMs =
      Math.floor(reading.timestamp_ms / options.interval_ms) *
      options.interval_ms;
    const totals = readingTotals(reading, observed[i] ?? null);
    addToBucket(groups, group, bucketMs, totals);
  });
}

/**
 * Returns the value of an aggregation from its totals. `avg` divides the
 * sum by the observations that carry a sum, so a histogram without a sum
 * changes `count` but not `avg`. It is null when no observation has one.
 */
export function totalsValue(
  totals: BucketTotals,
  aggregation: TotalsAggregation,
): number | null {
  switch (aggregation) {
    case 'sum':
      return totals.sum;
    case 'count':
      return totals.count;
    case 'avg':
      return totals.sum === null || totals.count_with_sum === 0
        ? null
        : totals.sum / totals.count_with_sum;
  }
}

/** Turns totals into points in time order, per output series. */
export function totalsSeries(
  groups: TotalsByGroup,
  aggregation: TotalsAggregation,
): Map<string, SeriesPoint[]> {
  const series = new Map<string, SeriesPoint[]>();
  for (const [group, buckets] of groups) {
    const points = [...buckets.entries()]
      .sort(([a], [b]) => a - b)
      .map(([timestamp_ms, totals]) => ({
        timestamp_ms,
        value: totalsValue(totals, aggregation),
      }));
    series.set(group, points);
  }
  return series;
}
