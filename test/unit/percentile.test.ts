import { describe, expect, it } from 'vitest';
import { percentile, sortAscending } from '#shared/model/percentile.js';

describe('percentile', () => {
  it('returns null for no values', () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([], 0)).toBeNull();
    expect(percentile([], 1)).toBeNull();
  });

  it.each([0, 0.5, 0.9, 0.99, 1])('returns the one value at q=%s', (q) => {
    expect(percentile([42], q)).toBe(42);
  });

  it.each([
    [0, 10],
    [0.5, 15],
    [0.9, 19],
    [0.99, 19.9],
    [1, 20],
  ])('interpolates two values at q=%s', (q, expected) => {
    expect(percentile([10, 20], q)).toBeCloseTo(expected, 12);
  });

  it.each([0, 0.5, 0.95, 1])('returns equal values exactly at q=%s', (q) => {
    expect(percentile([7.3, 7.3, 7.3, 7.3], q)).toBe(7.3);
  });

  it('interpolates four values between closest ranks', () => {
    // h = 3 * q: p50 lies between 20 and 30, p90 between 30 and 40.
    expect(percentile([10, 20, 30, 40], 0.5)).toBe(25);
    expect(percentile([10, 20, 30, 40], 0.9)).toBeCloseTo(37, 12);
  });

  it('moves only the top ranks for one outlier', () => {
    // Ten values: nine of 1 and one of 1000. h = 9 * q.
    const values = [...Array(9).fill(1), 1000];

    expect(percentile(values, 0.5)).toBe(1);
    expect(percentile(values, 0.9)).toBeCloseTo(100.9, 9);
    expect(percentile(values, 0.99)).toBeCloseTo(910.09, 9);
    expect(percentile(values, 1)).toBe(1000);
  });

  it.each([-0.1, 1.5, Number.NaN])('rejects quantile %s', (q) => {
    expect(() => percentile([1, 2], q)).toThrow(RangeError);
  });
});

describe('sortAscending', () => {
  it('sorts by value, not as text', () => {
    expect(sortAscending([10, 9, 100, 1])).toEqual([1, 9, 10, 100]);
  });
});
