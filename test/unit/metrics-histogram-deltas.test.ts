import { describe, expect, it } from 'vitest';
import {
  type DistributionReading,
  isCumulative,
  readingObservations,
  subtractExponential,
} from '#shared/metrics/histogram-deltas.js';
import type {
  ExponentialHistogramData,
  SummaryData,
} from '#shared/model/metric.js';

const T0 = Date.UTC(2026, 11, 4, 12);
const BOUNDS = [0.1, 1];

/** Builds a cumulative explicit histogram of series `a` begun at T0. */
function reading(
  counts: [number, number, number],
  sum: number,
  seconds: number,
  overrides: Partial<DistributionReading> = {},
): DistributionReading {
  const count = counts[0] + counts[1] + counts[2];
  return {
    histogram: { bounds: BOUNDS, counts, count, sum, min: 0.05, max: 2 },
    exponential_histogram: null,
    summary: null,
    series: 'a',
    start_timestamp_ms: T0,
    timestamp_ms: T0 + seconds * 1_000,
    cumulative: true,
    ...overrides,
  };
}

/** Builds the sample of a delta: counts, count and sum, no min or max. */
function delta(counts: [number, number, number], sum: number) {
  const count = counts[0] + counts[1] + counts[2];
  return {
    histogram: { bounds: BOUNDS, counts, count, sum, min: null, max: null },
    exponential_histogram: null,
    summary: null,
  };
}

/** The sample of a reading alone, as the function returns it. */
const itself = ({
  histogram,
  exponential_histogram,
  summary,
}: DistributionReading) => ({
  histogram,
  exponential_histogram,
  summary,
});

describe('readingObservations', () => {
  it('keeps the first point and subtracts each later one', () => {
    const points = [
      reading([1, 0, 0], 0.05, 0),
      reading([1, 2, 0], 1.05, 2),
      reading([1, 2, 3], 7.05, 4),
    ];

    const observed = readingObservations(points, T0);

    expect(observed).toEqual([
      itself(points[0] as DistributionReading),
      delta([0, 2, 0], 1),
      delta([0, 0, 3], 6),
    ]);
  });

  it('drops the first point begun before the range', () => {
    const points = [reading([1, 0, 0], 0.05, 0), reading([1, 2, 0], 1.05, 2)];

    const observed = readingObservations(points, T0 + 1);

    expect(observed).toEqual([null, delta([0, 2, 0], 1)]);
  });

  it('drops a first point without start time', () => {
    const first = reading([4, 0, 0], 0.2, 0, { start_timestamp_ms: null });

    expect(readingObservations([first], T0)).toEqual([null]);
  });

  it.each<[string, DistributionReading]>([
    ['a drop in count', reading([1, 0, 0], 0.05, 4)],
    ['a drop in one bucket', reading([0, 5, 0], 3, 4)],
    [
      'different bounds',
      reading([3, 0, 0], 0.3, 4, {
        histogram: {
          bounds: [0.5, 1],
          counts: [3, 0, 0],
          count: 3,
          sum: 0.3,
          min: 0.1,
          max: 0.1,
        },
      }),
    ],
  ])('adds the whole point after %s', (_case, later) => {
    const earlier = reading([2, 1, 0], 0.6, 2);

    const observed = readingObservations([earlier, later], T0);

    expect(observed[1]).toEqual(itself(later));
  });

  it('subtracts within one series and start time only', () => {
    const a = reading([2, 0, 0], 0.1, 0);
    const b = reading([1, 0, 0], 0.05, 2, { series: 'b' });
    const restarted = reading([1, 1, 0], 0.5, 4, {
      start_timestamp_ms: T0 + 3_000,
    });

    const observed = readingObservations([restarted, b, a], T0);

    expect(observed).toEqual([itself(restarted), itself(b), itself(a)]);
  });

  it('sorts readings by time before subtracting', () => {
    const first = reading([1, 0, 0], 0.05, 0);
    const second = reading([1, 2, 0], 1.05, 2);

    const observed = readingObservations([second, first], T0);

    expect(observed).toEqual([delta([0, 2, 0], 1), itself(first)]);
  });

  it('leaves a delta histogram as it is', () => {
    const deltaPoint = reading([1, 1, 1], 3, 0, { cumulative: false });

    const observed = readingObservations([deltaPoint], T0);

    expect(observed).toEqual([itself(deltaPoint)]);
  });

  it('gives null for a point that adds no observations', () => {
    const points = [reading([1, 2, 0], 1, 0), reading([1, 2, 0], 1, 2)];

    expect(readingObservations(points, T0)[1]).toBeNull();
  });
});

/** Builds a summary reading of series `a` begun at T0, p50 = `p50`. */
function summaryReading(
  count: number,
  sum: number | null,
  seconds: number,
  overrides: Partial<DistributionReading> = {},
  p50 = 2,
): DistributionReading {
  return {
    histogram: null,
    exponential_histogram: null,
    summary: { count, sum, quantiles: [{ quantile: 0.5, value: p50 }] },
    series: 'a',
    start_timestamp_ms: T0,
    timestamp_ms: T0 + seconds * 1_000,
    cumulative: true,
    ...overrides,
  };
}

/** Builds the sample of a summary that adds `count` and `sum`, p50 = `p50`. */
function summaryAdds(count: number, sum: number | null, p50 = 2) {
  const summary: SummaryData = {
    count,
    sum,
    quantiles: [{ quantile: 0.5, value: p50 }],
  };
  return { histogram: null, exponential_histogram: null, summary };
}

describe('readingObservations of summaries', () => {
  it('keeps the first reading and subtracts each later one', () => {
    const points = [
      summaryReading(10, 20, 0, {}, 1),
      summaryReading(14, 30, 2, {}, 3),
      summaryReading(20, 45, 4, {}, 5),
    ];

    const observed = readingObservations(points, T0);

    expect(observed).toEqual([
      summaryAdds(10, 20, 1),
      summaryAdds(4, 10, 3),
      summaryAdds(6, 15, 5),
    ]);
  });

  it.each<[string, number | null]>([
    ['before the range', T0 - 1],
    ['at an unknown time', null],
  ])('keeps only the quantiles of a first reading begun %s', (_, start) => {
    const first = summaryReading(10, 20, 0, { start_timestamp_ms: start }, 7);

    expect(readingObservations([first], T0)).toEqual([summaryAdds(0, 0, 7)]);
  });

  it.each<[string, [number, number]]>([
    ['a drop in count', [3, 40]],
    ['a drop in sum', [12, 5]],
  ])('adds the whole reading after %s', (_case, [count, sum]) => {
    const before = { start_timestamp_ms: T0 - 1_000 };
    const earlier = summaryReading(10, 20, 2, before);
    const later = summaryReading(count, sum, 4, before);

    const observed = readingObservations([earlier, later], T0);

    expect(observed).toEqual([summaryAdds(0, 0), itself(later)]);
  });

  it('leaves the sum unknown when a reading lacks one', () => {
    const points = [summaryReading(10, null, 0), summaryReading(14, 30, 2)];

    expect(readingObservations(points, T0)[1]).toEqual(summaryAdds(4, null));
  });

  it('leaves a delta summary as it is', () => {
    const delta = summaryReading(10, 20, 0, {
      cumulative: false,
      start_timestamp_ms: null,
    });

    expect(readingObservations([delta], T0)).toEqual([itself(delta)]);
  });
});

describe('isCumulative', () => {
  const histogramSample = reading([1, 0, 0], 1, 0);
  const summarySample = summaryReading(1, 1, 0);

  it.each<[string, DistributionReading, string | null, boolean]>([
    ['a cumulative histogram', histogramSample, 'cumulative', true],
    ['a delta histogram', histogramSample, 'delta', false],
    ['a histogram without temporality', histogramSample, null, false],
    ['a summary without temporality', summarySample, null, true],
    ['a cumulative summary', summarySample, 'cumulative', true],
    ['a delta summary', summarySample, 'delta', false],
  ])('classifies %s', (_case, sample, temporality, expected) => {
    expect(isCumulative(sample, temporality)).toBe(expected);
  });
});

describe('subtractExponential', () => {
  const exponential = (
    offset: number,
    counts: number[],
    scale = 0,
  ): ExponentialHistogramData => ({
    scale,
    zero_count: 1,
    zero_threshold: 0,
    positive: { offset, counts },
    negative: { offset: 0, counts: [] },
    count: 1 + counts.reduce((a, b) => a + b, 0),
    sum: 10,
    min: 0,
    max: 8,
  });

  it('subtracts buckets by index when the range grew', () => {
    const earlier = exponential(1, [2, 1]);
    const later = exponential(0, [4, 3, 1, 5]);

    expect(subtractExponential(later, earlier)).toEqual({
      ...later,
      positive: { offset: 0, counts: [4, 1, 0, 5] },
      zero_count: 0,
      count: 10,
      sum: 0,
      min: null,
      max: null,
    });
  });

  it.each<[string, ExponentialHistogramData]>([
    ['the scale differs', exponential(1, [2, 1], 1)],
    ['a bucket dropped', exponential(1, [4, 1])],
    ['a bucket lies outside the later range', exponential(5, [1])],
  ])('returns null when %s', (_case, earlier) => {
    expect(subtractExponential(exponential(1, [3, 9]), earlier)).toBeNull();
  });
});
