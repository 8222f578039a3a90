import type {
  ExponentialHistogramData,
  HistogramData,
  MetricPoint,
  SummaryData,
} from '../model/metric.js';
import type { DistributionSample } from './distributions.js';
import { canonicalLabels } from './identity.js';

/** One stored histogram or summary point with its series identity. */
export interface DistributionReading extends DistributionSample {
  /** Identity of its series apart from the start time (its label set). */
  series: string;
  start_timestamp_ms: number | null;
  timestamp_ms: number;
  /** True when it repeats earlier observations; see {@link isCumulative}. */
  cumulative: boolean;
}

/** A stored histogram or summary point and the output series it adds to. */
export interface GroupedReading {
  group: string;
  reading: DistributionReading;
}

/**
 * Tells whether a stored histogram or summary repeats the observations of
 * earlier points of its series. A histogram is cumulative when stored so.
 * An OTLP summary has no temporality field, and its count and sum are
 * cumulative by the OTLP data model, so a summary is cumulative unless it
 * was stored as delta.
 */
export function isCumulative(
  sample: DistributionSample,
  temporality: string | null,
): boolean {
  if (sample.summary) return temporality !== 'delta';
  return temporality === 'cumulative';
}

/** Builds the reading of a metric point, whose series is its label set. */
export function pointReading(point: MetricPoint): DistributionReading {
  return {
    histogram: point.histogram,
    exponential_histogram: point.exponential_histogram,
    summary: point.summary,
    series: canonicalLabels(point.labels),
    start_timestamp_ms: point.start_timestamp_ms,
    timestamp_ms: point.timestamp_ms,
    cumulative: isCumulative(point, point.temporality),
  };
}

/** Bucket counts of one exponential range by absolute bucket index. */
function indexed(range: { offset: number; counts: readonly number[] }) {
  return new Map(range.counts.map((count, i) => [range.offset + i, count]));
}

/**
 * Counts of `later` minus `earlier` for one exponential range, aligned by
 * bucket index, or null when a bucket of `earlier` went down or lies
 * outside `later`.
 */
function subtractRange(
  later: { offset: number; counts: readonly number[] },
  earlier: { offset: number; counts: readonly number[] },
): { offset: number; counts: number[] } | null {
  const before = indexed(earlier);
  const counts = later.counts.map((count, i) => {
    const index = later.offset + i;
    const change = count - (before.get(index) ?? 0);
    before.delete(index);
    return change;
  });
  const lost = [...before.values()].some((count) => count !== 0);
  if (lost || counts.some((c) => c < 0)) return null;
  return { offset: later.offset, counts };
}

/** Sum of a delta: null when either point lacks one. */
function sumDelta(later: number | null, earlier: number | null) {
  return later === null || earlier === null ? null : later - earlier;
}

/**
 * Observations `later` adds to `earlier` of an explicit histogram, or
 * null (a reset) when the bounds differ or any count went down.
 */
export function subtractExplicit(
  later: HistogramData,
  earlier: HistogramData,
): HistogramData | null {
  const sameBounds =
    JSON.stringify(later.bounds) === JSON.stringify(earlier.bounds) &&
    later.counts.length === earlier.counts.length;
  if (!sameBounds || later.count < earlier.count) return null;
  const counts = later.counts.map((c, i) => c - (earlier.counts[i] ?? 0));
  if (counts.some((c) => c < 0)) return null;
  return {
    bounds: later.bounds,
    counts,
    count: later.count - earlier.count,
    sum: sumDelta(later.sum, earlier.sum),
    min: null,
    max: null,
  };
}

/**
 * Observations `later` adds to `earlier` of an exponential histogram, or
 * null (a reset) when scale or zero threshold differ or a count went down.
 * Buckets line up by index, so a range that grew at either end still
 * subtracts.
 */
export function subtractExponential(
  later: ExponentialHistogramData,
  earlier: ExponentialHistogramData,
): ExponentialHistogramData | null {
  const sameLayout =
    later.scale === earlier.scale &&
    later.zero_threshold === earlier.zero_threshold;
  if (!sameLayout || later.count < earlier.count) return null;
  const zero_count = later.zero_count - earlier.zero_count;
  const positive = subtractRange(later.positive, earlier.positive);
  const negative = subtractRange(later.negative, earlier.negative);
  if (zero_count < 0 || !positive || !negative) return null;
  return {
    ...later,
    zero_count,
    positive,
    negative,
    count: later.count - earlier.count,
    sum: sumDelta(later.sum, earlier.sum),
    min: null,
    max: null,
  };
}

/**
 * Returns the count and sum `later` adds to `earlier` of a summary, with
 * the quantiles of `later`, or null (a reset) when the count or the sum
 * went down. OTLP (`SummaryDataPoint.sum` in metrics.proto) fills a
 * summary's sum only for non-negative observations, so a sum that goes
 * down means a restart.
 */
export function subtractSummary(
  later: SummaryData,
  earlier: SummaryData,
): SummaryData | null {
  const sum = sumDelta(later.sum, earlier.sum);
  if (later.count < earlier.count || (sum !== null && sum < 0)) return null;
  return {
    count: later.count - earlier.count,
    sum,
    quantiles: later.quantiles,
  };
}

/** Returns the part of `later` not in `earlier`, or null for a reset. */
function subtract(
  later: DistributionReading,
  earlier: DistributionReading,
): DistributionSample | null {
  if (later.histogram && earlier.histogram) {
    const histogram = subtractExplicit(later.histogram, earlier.histogram);
    return histogram && { ...EMPTY, histogram };
  }
  const [a, b] = [later.exponential_histogram, earlier.exponential_histogram];
  if (a && b) {
    const exponential_histogram = subtractExponential(a, b);
    return exponential_histogram && { ...EMPTY, exponential_histogram };
  }
  if (later.summary && earlier.summary) {
    const summary = subtractSummary(later.summary, earlier.summary);
    return summary && { ...EMPTY, summary };
  }
  return null;
}

const EMPTY: DistributionSample = {
  histogram: null,
  exponential_histogram: null,
  summary: null,
};

/** Returns the distribution fields of a reading alone. */
function sampleOf(reading: DistributionReading): DistributionSample {
  const { histogram, exponential_histogram, summary } = reading;
  return { histogram, exponential_histogram, summary };
}

/** Tells whether the series began in the range, so the point counts whole. */
function startsInRange(reading: DistributionReading, rangeStartMs: number) {
  const start = reading.start_timestamp_ms;
  return start !== null && start >= rangeStartMs;
}

/**
 * Returns the sample of a reading that adds no observations: null, or for
 * a summary a count of 0 with its quantiles, which percentiles still use.
 */
function nothingAdded(reading: DistributionReading): DistributionSample | null {
  const { summary } = reading;
  if (!summary) return null;
  const sum = summary.sum === null ? null : 0;
  return { ...EMPTY, summary: { count: 0, sum, quantiles: summary.quantiles } };
}

/** Count of a sample's histogram, or null when it has none. */
function histogramCount(sample: DistributionSample): number | null {
  return (sample.histogram ?? sample.exponential_histogram)?.count ?? null;
}

/** Orders readings by series, then start time (none first), then time. */
function compareReadings(a: DistributionReading, b: DistributionReading) {
  if (a.series !== b.series) return a.series < b.series ? -1 : 1;
  const startA = a.start_timestamp_ms ?? Number.NEGATIVE_INFINITY;
  const startB = b.start_timestamp_ms ?? Number.NEGATIVE_INFINITY;
  if (startA !== startB) return startA - startB;
  return a.timestamp_ms - b.timestamp_ms;
}

/** Returns the observations one cumulative reading adds. */
function cumulativeObservations(
  reading: DistributionReading,
  before: DistributionReading | undefined,
  rangeStartMs: number,
): DistributionSample | null {
  if (before === undefined) {
    return startsInRange(reading, rangeStartMs)
      ? sampleOf(reading)
      : nothingAdded(reading);
  }
  return subtract(reading, before) ?? sampleOf(reading);
}

/**
 * Observations each histogram or summary reading adds, by the rule of
 * `readingIncreases` in `./increase.ts`, so that a count and the increase
 * of that count agree. A series is labels plus start time:
 * - a delta reading adds itself;
 * - the first cumulative reading of a series in the read data adds itself
 *   when the series' start time lies in the range, and nothing otherwise;
 * - a later cumulative reading adds itself minus the previous reading.
 *   A histogram subtracts bucket by bucket, with min and max unknown
 *   (null). Different bounds, scale or zero threshold, or any count going
 *   down, is a reset, so the reading adds itself whole. A summary
 *   subtracts its count and sum, and a count or sum going down is a reset.
 * A summary keeps its own quantiles in every case, even when it adds no
 * observations, because quantiles cannot be subtracted (see
 * `summaryQuantile` in `./distributions.ts`).
 * The result lines up with `readings`. Null means no observations, but a
 * summary that adds none is a count of 0 with its quantiles instead. The
 * readings of one output bucket add up to (last reading in the bucket)
 * minus (last reading before it), so summing them per bucket counts each
 * observation once.
 */
export function readingObservations(
  readings: readonly DistributionReading[],
  rangeStartMs: number,
): (DistributionSample | null)[] {
  const order = readings.map((_, i) => i);
  order.sort((i, j) =>
    compareReadings(
      readings[i] as DistributionReading,
      readings[j] as DistributionReading,
    ),
  );
  const result: (DistributionSample | null)[] = readings.map(() => null);
  let previous: DistributionReading | undefined;
  for (const i of order) {
    const reading = readings[i] as DistributionReading;
    const before =
      previous?.series === reading.series &&
      previous.start_timestamp_ms === reading.start_timestamp_ms
        ? previous
        : undefined;
    previous = reading;
    const observed = reading.cumulative
      ? cumulativeObservations(reading, before, rangeStartMs)
      : sampleOf(reading);
    result[i] = observed && histogramCount(observed) === 0 ? null : observed;
  }
  return result;
}
