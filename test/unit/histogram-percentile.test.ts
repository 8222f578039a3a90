import { describe, expect, it } from 'vitest';
import {
  bucketPercentile,
  explicitBuckets,
  exponentialBoundary,
  exponentialBuckets,
  type ValueBucket,
} from '#shared/model/histogram-percentile.js';

const UNKNOWN = { min: null, max: null };

describe('explicitBuckets', () => {
  it('closes the open ends with min and max when known', () => {
    const buckets = explicitBuckets([1, 2], [1, 1, 1], { min: 0.5, max: 4 });

    expect(buckets).toEqual([
      { lower: 0.5, upper: 1, count: 1 },
      { lower: 1, upper: 2, count: 1 },
      { lower: 2, upper: 4, count: 1 },
    ]);
  });

  it('uses 0 and the last bound when min and max are unknown', () => {
    const buckets = explicitBuckets([1, 2], [1, 1, 1], UNKNOWN);

    expect(buckets[0]).toEqual({ lower: 0, upper: 1, count: 1 });
    expect(buckets[2]).toEqual({ lower: 2, upper: 2, count: 1 });
  });

  it('uses the first bound below zero as the lowest edge', () => {
    const buckets = explicitBuckets([-5, 0], [2, 0, 0], UNKNOWN);

    expect(buckets[0]).toEqual({ lower: -5, upper: -5, count: 2 });
  });

  it('clips inner buckets to min and max', () => {
    const buckets = explicitBuckets([1, 2, 3], [0, 4, 0, 0], {
      min: 1.5,
      max: 1.8,
    });

    expect(buckets[1]).toEqual({ lower: 1.5, upper: 1.8, count: 4 });
  });

  it('spans min to max without bounds', () => {
    expect(explicitBuckets([], [3], { min: 1, max: 2 })).toEqual([
      { lower: 1, upper: 2, count: 3 },
    ]);
    expect(explicitBuckets([], [3], { min: 1, max: null })).toEqual([]);
  });
});

describe('exponentialBoundary', () => {
  it.each([
    [0, 3, 8],
    [0, -1, 0.5],
    [1, 1, Math.SQRT2],
    [1, 2, 2],
    [-1, 1, 4],
    [3, 8, 2],
  ])('at scale %i index %i is %d', (scale, index, expected) => {
    expect(exponentialBoundary(scale, index)).toBeCloseTo(expected, 12);
  });
});

describe('exponentialBuckets', () => {
  it('orders negative, zero and positive buckets by value', () => {
    const buckets = exponentialBuckets(
      {
        scale: 0,
        zero_count: 1,
        positive: new Map([
          [1, 3],
          [0, 2],
        ]),
        negative: new Map([
          [0, 4],
          [1, 5],
        ]),
      },
      UNKNOWN,
    );

    expect(buckets).toEqual([
      { lower: -4, upper: -2, count: 5 },
      { lower: -2, upper: -1, count: 4 },
      { lower: 0, upper: 0, count: 1 },
      { lower: 1, upper: 2, count: 2 },
      { lower: 2, upper: 4, count: 3 },
    ]);
  });
});

describe('bucketPercentile', () => {
  const layout = (counts: number[]) =>
    explicitBuckets([10, 20, 30], counts, UNKNOWN);

  it('interpolates inside the bucket that contains the rank', () => {
    // Rank 9 of 10 lies 9/10 into (10, 20].
    expect(bucketPercentile(layout([0, 10, 0, 0]), 0.9)).toBe(19);
  });

  it.each([
    [0, 10],
    [0.25, 12.5],
    [0.5, 15],
    [1, 20],
  ])('spreads one bucket evenly at q=%s', (q, expected) => {
    expect(bucketPercentile(layout([0, 4, 0, 0]), q)).toBe(expected);
  });

  it('returns the end of a bucket when the rank fills it', () => {
    // Counts 1 and 1 in [0, 10] and (20, 30]: rank 1 ends the first.
    expect(bucketPercentile(layout([1, 0, 1, 0]), 0.5)).toBe(10);
  });

  it('keeps an outlier in the overflow out of p50', () => {
    const buckets = explicitBuckets([0.1, 1], [99, 0, 1], {
      min: 0.01,
      max: 60,
    });

    expect(bucketPercentile(buckets, 0.5)).toBeCloseTo(
      0.01 + 0.09 * (50 / 99),
      12,
    );
    expect(bucketPercentile(buckets, 1)).toBe(60);
    // Rank 99.5 lies halfway into the overflow bucket (1, 60].
    expect(bucketPercentile(buckets, 0.995)).toBeCloseTo(30.5, 9);
  });

  it('returns the one value of a single observation', () => {
    const buckets = explicitBuckets([1, 10], [0, 1, 0], { min: 4, max: 4 });

    expect(bucketPercentile(buckets, 0)).toBe(4);
    expect(bucketPercentile(buckets, 0.5)).toBe(4);
    expect(bucketPercentile(buckets, 1)).toBe(4);
  });

  it('interpolates two observations across their bucket', () => {
    const buckets = explicitBuckets([1, 10], [0, 2, 0], UNKNOWN);

    expect(bucketPercentile(buckets, 0.5)).toBe(5.5);
  });

  it('returns the value of a point bucket for every q', () => {
    const buckets: ValueBucket[] = [{ lower: 7, upper: 7, count: 5 }];

    expect(bucketPercentile(buckets, 0)).toBe(7);
    expect(bucketPercentile(buckets, 0.99)).toBe(7);
  });

  it('adds overlapping buckets of different layouts', () => {
    // [0, 10] with 10 and [5, 15] with 10: the density is 1 on [0, 5),
    // 2 on [5, 10) and 1 on [10, 15], so rank 10 is at 7.5.
    const buckets: ValueBucket[] = [
      { lower: 0, upper: 10, count: 10 },
      { lower: 5, upper: 15, count: 10 },
    ];

    expect(bucketPercentile(buckets, 0.5)).toBeCloseTo(7.5, 12);
    expect(bucketPercentile(buckets, 0.25)).toBeCloseTo(5, 12);
    expect(bucketPercentile(buckets, 1)).toBe(15);
  });

  it('skips gaps between non-empty buckets', () => {
    const buckets: ValueBucket[] = [
      { lower: 0, upper: 1, count: 1 },
      { lower: 100, upper: 101, count: 1 },
    ];

    expect(bucketPercentile(buckets, 0.75)).toBeCloseTo(100.5, 12);
  });

  it('puts the zero bucket of an exponential histogram at 0', () => {
    const buckets = exponentialBuckets(
      {
        scale: 0,
        zero_count: 2,
        positive: new Map([[0, 2]]),
        negative: new Map(),
      },
      UNKNOWN,
    );

    expect(bucketPercentile(buckets, 0.25)).toBe(0);
    expect(bucketPercentile(buckets, 0.75)).toBe(1.5);
  });

  it('returns null for no observations', () => {
    expect(bucketPercentile([], 0.5)).toBeNull();
    expect(bucketPercentile(layout([0, 0, 0, 0]), 0.5)).toBeNull();
  });

  it.each([-0.1, 1.5, Number.NaN])('rejects quantile %s', (q) => {
    expect(() => bucketPercentile(layout([1, 0, 0, 0]), q)).toThrow(RangeError);
  });
});
