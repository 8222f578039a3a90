import { describe, expect, it } from 'vitest';
import {
  addDistributionTotals,
  addTotals,
  type BucketTotals,
  type TotalsAggregation,
  type TotalsByGroup,
  totalsSeries,
  totalsValue,
} from '#shared/metrics/distribution-totals.js';
import type {
  DistributionReading,
  GroupedReading,
} from '#shared/metrics/histogram-deltas.js';

const T0 = Date.UTC(2026, 11, 4, 12);
const MINUTE = 60_000;
const OPTIONS = { start_ms: T0, interval_ms: MINUTE };

/** Builds a cumulative summary reading of `series`, begun before the range. */
function summary(
  count: number,
  sum: number | null,
  timestampMs: number,
  series = 'a',
): DistributionReading {
  return {
    histogram: null,
    exponential_histogram: null,
    summary: { count, sum, quantiles: [{ quantile: 0.5, value: 1 }] },
    series,
    start_timestamp_ms: T0 - MINUTE,
    timestamp_ms: timestampMs,
    cumulative: true,
  };
}

/** Adds up `items` in one output series `g` and returns its buckets. */
function totalsOf(items: GroupedReading[]) {
  const groups: TotalsByGroup = new Map();
  addDistributionTotals(groups, items, OPTIONS);
  return groups.get('g');
}

const inGroup = (reading: DistributionReading) => ({ group: 'g', reading });

describe('addDistributionTotals', () => {
  it('adds what each cumulative reading adds per bucket', () => {
    const totals = totalsOf(
      [
        summary(10, 20, T0 + 50_000),
        summary(14, 30, T0 + MINUTE + 10_000),
        summary(20, 45, T0 + MINUTE + 30_000),
      ].map(inGroup),
    );

    expect(totals).toEqual(
      new Map([
        [T0, { sum: 0, count: 0, count_with_sum: 0 }],
        [T0 + MINUTE, { sum: 25, count: 10, count_with_sum: 10 }],
      ]),
    );
  });

  it('adds the series of one group together', () => {
    const totals = totalsOf(
      [
        summary(10, 20, T0, 'a'),
        summary(14, 30, T0 + 10_000, 'a'),
        summary(100, 50, T0, 'b'),
        summary(103, 62, T0 + 10_000, 'b'),
      ].map(inGroup),
    );

    expect(totals?.get(T0)).toEqual({ sum: 22, count: 7, count_with_sum: 7 });
  });

  it('leaves the sum out of avg for readings without one', () => {
    const totals = totalsOf(
      [
        summary(10, null, T0),
        summary(14, null, T0 + 10_000),
        summary(1, 3, T0 + 20_000, 'b'),
        summary(3, 9, T0 + 30_000, 'b'),
      ].map(inGroup),
    );

    expect(totals?.get(T0)).toEqual({ sum: 6, count: 6, count_with_sum: 2 });
  });
});

describe('totalsValue', () => {
  const totals: BucketTotals = { sum: 12, count: 6, count_with_sum: 4 };

  it.each<[TotalsAggregation, number]>([
    ['sum', 12],
    ['count', 6],
    ['avg', 3],
  ])('computes %s', (aggregation, expected) => {
    expect(totalsValue(totals, aggregation)).toBe(expected);
  });

  it.each<[string, BucketTotals]>([
    ['no observation', { sum: 0, count: 0, count_with_sum: 0 }],
    ['no sum', { sum: null, count: 4, count_with_sum: 0 }],
  ])('gives a null avg for %s', (_case, empty) => {
    expect(totalsValue(empty, 'avg')).toBeNull();
  });
});

describe('addTotals', () => {
  it('keeps a null sum only when both sums are null', () => {
    const none: BucketTotals = { sum: null, count: 2, count_with_sum: 0 };
    const some: BucketTotals = { sum: 5, count: 1, count_with_sum: 1 };

    expect(addTotals(none, none).sum).toBeNull();
    expect(addTotals(none, some)).toEqual({
      sum: 5,
      count: 3,
      count_with_sum: 1,
    });
  });
});

describe('totalsSeries', () => {
  it('returns points in time order', () => {
    const groups: TotalsByGroup = new Map([
      [
        'g',
        new Map([
          [T0 + MINUTE, { sum: 4, count: 2, count_with_sum: 2 }],
          [T0, { sum: 1, count: 1, count_with_sum: 1 }],
        ]),
      ],
    ]);

    expect(totalsSeries(groups, 'avg').get('g')).toEqual([
      { timestamp_ms: T0, value: 1 },
      { timestamp_ms: T0 + MINUTE, value: 2 },
    ]);
  });
});
