import { describe, expect, it } from 'vitest';
import {
  type DistributionSample,
  distributionPercentile,
  histogramBuckets,
  mergeExponential,
  summaryQuantile,
} from '#shared/metrics/distributions.js';
import type {
  ExponentialHistogramData,
  HistogramData,
  SummaryData,
} from '#shared/model/metric.js';

function explicit(
  bounds: number[],
  counts: number[],
  extremes: { min?: number; max?: number } = {},
): DistributionSample {
  const histogram: HistogramData = {
    bounds,
    counts,
    count: counts.reduce((a, b) => a + b, 0),
    sum: null,
    min: extremes.min ?? null,
    max: extremes.max ?? null,
  };
  return { histogram, exponential_histogram: null, summary: null };
}

function exponential(
  scale: number,
  positive: { offset: number; counts: number[] },
  zero_count = 0,
): ExponentialHistogramData {
  return {
    scale,
    zero_count,
    zero_threshold: 0,
    positive,
    negative: { offset: 0, counts: [] },
    count: zero_count + positive.counts.reduce((a, b) => a + b, 0),
    sum: null,
    min: null,
    max: null,
  };
}

function summaryData(quantiles: [number, number][]): SummaryData {
  return {
    count: 1,
    sum: null,
    quantiles: quantiles.map(([quantile, value]) => ({ quantile, value })),
  };
}

const summaryOf = (quantiles: [number, number][]): DistributionSample => ({
  histogram: null,
  exponential_histogram: null,
  summary: summaryData(quantiles),
});

describe('histogramBuckets', () => {
  it('sums the counts of histograms with the same bounds', () => {
    const buckets = histogramBuckets([
      explicit([1, 2], [1, 2, 0], { min: 0.5, max: 1.5 }),
      explicit([1, 2], [0, 3, 1], { min: 0.8, max: 2.5 }),
    ]);

    expect(buckets).toEqual([
      { lower: 0.5, upper: 1, count: 1 },
      { lower: 1, upper: 2, count: 5 },
      { lower: 2, upper: 2.5, count: 1 },
    ]);
  });

  it('sets min only when every histogram has one', () => {
    const buckets = histogramBuckets([
      explicit([1, 2], [1, 0, 0], { min: 0.5 }),
      explicit([1, 2], [1, 0, 0]),
    ]);

    expect(buckets[0]).toEqual({ lower: 0, upper: 1, count: 2 });
  });

  it('keeps histograms with other bounds as their own buckets', () => {
    const buckets = histogramBuckets([
      explicit([1], [2, 0]),
      explicit([5], [3, 0]),
    ]);

    expect(buckets).toContainEqual({ lower: 0, upper: 1, count: 2 });
    expect(buckets).toContainEqual({ lower: 0, upper: 5, count: 3 });
  });

  it('leaves summaries out', () => {
    expect(histogramBuckets([summaryOf([[0.5, 3]])])).toEqual([]);
  });
});

describe('mergeExponential', () => {
  it('brings finer scales down to the smallest scale', () => {
    // Scale 1 indexes 2, 3 and 4 fall into scale 0 indexes 1, 1 and 2.
    const merged = mergeExponential([
      exponential(1, { offset: 2, counts: [1, 2, 4] }, 1),
      exponential(0, { offset: 1, counts: [10] }, 2),
    ]);

    expect(merged.scale).toBe(0);
    expect(merged.zero_count).toBe(3);
    expect([...merged.positive.entries()].sort()).toEqual([
      [1, 13],
      [2, 4],
    ]);
  });

  it('floors negative indexes when downscaling', () => {
    const merged = mergeExponential([
      exponential(2, { offset: -5, counts: [1] }),
      exponential(0, { offset: 0, counts: [] }),
    ]);

    // floor(-5 / 4) = -2: (2^-1.25, 2^-1] lies in (2^-2, 2^-1].
    expect([...merged.positive.entries()]).toEqual([[-2, 1]]);
  });
});

describe('summaryQuantile', () => {
  it('averages the matching quantile of each summary', () => {
    const summaries = [summaryData([[0.5, 2]]), summaryData([[0.5, 4]])];

    expect(summaryQuantile(summaries, 0.5)).toBe(3);
  });

  it('returns null when no summary has the quantile', () => {
    const summaries = [summaryData([[0.5, 2]])];

    expect(summaryQuantile(summaries, 0.99)).toBeNull();
    expect(summaryQuantile([], 0.5)).toBeNull();
  });
});

describe('distributionPercentile', () => {
  it('interpolates merged exponential histograms', () => {
    const sample: DistributionSample = {
      histogram: null,
      exponential_histogram: exponential(0, { offset: 0, counts: [2, 2] }),
      summary: null,
    };

    // Buckets (1, 2] and (2, 4] with two values each.
    expect(distributionPercentile([sample], 0.5)).toBe(2);
    expect(distributionPercentile([sample, sample], 0.75)).toBe(3);
  });

  it('prefers histograms over summaries', () => {
    const samples = [
      explicit([10], [0, 4], { max: 20 }),
      summaryOf([[0.5, 99]]),
    ];

    expect(distributionPercentile(samples, 0.5)).toBe(15);
  });

  it('falls back to summaries without histogram counts', () => {
    const samples = [explicit([10], [0, 0]), summaryOf([[0.5, 99]])];

    expect(distributionPercentile(samples, 0.5)).toBe(99);
  });

  it('returns null for no samples', () => {
    expect(distributionPercentile([], 0.5)).toBeNull();
  });
});
