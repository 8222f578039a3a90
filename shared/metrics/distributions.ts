import {
  bucketPercentile,
  type ExponentialCounts,
  type Extremes,
  explicitBuckets,
  exponentialBuckets,
  type ValueBucket,
} from '../model/histogram-percentile.js';
import type {
  ExponentialHistogramData,
  HistogramData,
  MetricPoint,
  SummaryData,
} from '../model/metric.js';

/** The distribution fields of one stored histogram or summary point. */
export type DistributionSample = Pick<
  MetricPoint,
  'histogram' | 'exponential_histogram' | 'summary'
>;

/** Quantiles of two summaries match when they differ by less than this. */
const QUANTILE_TOLERANCE = 1e-9;

/**
 * Merges the extremes of several points. The minimum is known only when
 * every point has its own, and likewise the maximum.
 */
function mergeExtremes(items: readonly Extremes[]): Extremes {
  let min: number | null = Number.POSITIVE_INFINITY;
  let max: number | null = Number.NEGATIVE_INFINITY;
  for (const item of items) {
    min = min === null || item.min === null ? null : Math.min(min, item.min);
    max = max === null || item.max === null ? null : Math.max(max, item.max);
  }
  return items.length === 0 ? { min: null, max: null } : { min, max };
}

/**
 * Sums explicit histograms that share their bounds and returns the
 * buckets of each distinct layout. Layouts stay apart because their
 * buckets do not line up; the percentile adds them where they overlap.
 */
function explicitLayouts(histograms: readonly HistogramData[]) {
  const layouts = new Map<string, HistogramData[]>();
  for (const h of histograms) {
    const key = JSON.stringify(h.bounds);
    const group = layouts.get(key);
    if (group) group.push(h);
    else layouts.set(key, [h]);
  }
  return [...layouts.values()].flatMap((group) => {
    const first = group[0] as HistogramData;
    const counts = first.counts.map((_, i) =>
      group.reduce((sum, h) => sum + (h.counts[i] ?? 0), 0),
    );
    return explicitBuckets(first.bounds, counts, mergeExtremes(group));
  });
}

function addDownscaled(
  into: Map<number, number>,
  offset: number,
  counts: readonly number[],
  shift: number,
): void {
  counts.forEach((count, i) => {
    if (count === 0) return;
    const index = Math.floor((offset + i) / 2 ** shift);
    into.set(index, (into.get(index) ?? 0) + count);
  });
}

/**
 * Merges exponential histograms exactly: each is brought down to the
 * smallest scale among them, where 2^shift adjacent buckets of a finer
 * scale form one bucket (index floor(i / 2^shift)), and counts of equal
 * indexes add up. Zero buckets add up as well.
 */
export function mergeExponential(
  histograms: readonly ExponentialHistogramData[],
): ExponentialCounts {
  const scale = Math.min(...histograms.map((h) => h.scale));
  const merged = {
    scale,
    zero_count: 0,
    positive: new Map<number, number>(),
    negative: new Map<number, number>(),
  };
  for (const h of histograms) {
    const shift = h.scale - scale;
    merged.zero_count += h.zero_count;
    addDownscaled(merged.positive, h.positive.offset, h.positive.counts, shift);
    addDownscaled(merged.negative, h.negative.offset, h.negative.counts, shift);
  }
  return merged;
}

/**
 * Buckets of every histogram among the samples, merged as above. The
 * samples must hold each observation once: a cumulative point repeats
 * every earlier one of its series, so stores pass the observations each
 * point adds (`readingObservations` in `./histogram-deltas.ts`).
 */
export function histogramBuckets(
  samples: readonly DistributionSample[],
): ValueBucket[] {
  const explicit = samples.flatMap((s) => (s.histogram ? [s.histogram] : []));
  const exponential = samples.flatMap((s) =>
    s.exponential_histogram ? [s.exponential_histogram] : [],
  );
  const buckets = explicitLayouts(explicit);
  if (exponential.length > 0) {
    const counts = mergeExponential(exponential);
    buckets.push(...exponentialBuckets(counts, mergeExtremes(exponential)));
  }
  return buckets;
}

/**
 * Returns the q-quantile of summaries: the mean of the matching quantile
 * over the summaries that carry it, or null when none does. Quantiles of separate
 * summaries cannot be merged exactly, so the mean is an approximation.
 * A time bucket uses the quantiles of every summary reading in it, each
 * weighted equally: cumulative or delta, and also a cumulative reading
 * that adds no observations, because the SDK computes quantiles over a
 * recent window of its own and they cannot be subtracted.
 */
export function summaryQuantile(
  summaries: readonly SummaryData[],
  q: number,
): number | null {
  const values = summaries.flatMap((summary) =>
    summary.quantiles
      .filter((entry) => Math.abs(entry.quantile - q) < QUANTILE_TOLERANCE)
      .map((entry) => entry.value),
  );
  if (values.length === 0) return null;
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/**
 * Computes the q-quantile of distribution samples. Histograms, explicit or
 * exponential, are merged and interpolated (see
 * `../model/histogram-percentile.ts`); summaries give their matching
 * quantile. When both kinds are present, the histograms decide.
 */
export function distributionPercentile(
  samples: readonly DistributionSample[],
  q: number,
): number | null {
  const buckets = histogramBuckets(samples);
  if (buckets.some((bucket) => bucket.count > 0)) {
    return bucketPercentile(buckets, q);
  }
  const summaries = samples.flatMap((s) => (s.summary ? [s.summary] : []));
  return summaryQuantile(summaries, q);
}
