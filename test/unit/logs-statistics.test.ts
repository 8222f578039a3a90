import { describe, expect, it } from 'vitest';
import { checkLogRange, MAX_LOG_RANGE_MS } from '#shared/logs/range.js';
import {
  bucketCountOf,
  defaultLogInterval,
  fillBuckets,
} from '#shared/logs/statistics.js';

const T0_MS = Date.UTC(2026, 0, 15, 12, 0, 0);
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

describe('bucketCountOf', () => {
  it.each<[string, number, number, number]>([
    ['an aligned hour of minutes', T0_MS - HOUR_MS, T0_MS, 61],
    ['an hour ending just before a boundary', T0_MS - HOUR_MS, T0_MS - 1, 60],
    ['one millisecond', T0_MS, T0_MS, 1],
    ['a range inside one bucket', T0_MS + 1, T0_MS + 59_999, 1],
    ['a range across one boundary', T0_MS - 1, T0_MS, 2],
  ])('counts %s', (_name, start_ms, end_ms, expected) => {
    expect(bucketCountOf({ start_ms, end_ms }, MINUTE_MS)).toBe(expected);
  });
});

describe('defaultLogInterval', () => {
  it.each<[string, number, number]>([
    ['one millisecond', 0, 1_000],
    ['a minute', MINUTE_MS, 1_000],
    ['an hour', HOUR_MS, MINUTE_MS],
    ['six hours', 6 * HOUR_MS, 10 * MINUTE_MS],
    ['a week', 7 * 24 * HOUR_MS, 3 * HOUR_MS],
    ['31 days', MAX_LOG_RANGE_MS, 24 * HOUR_MS],
  ])('picks an interval for %s', (_name, span, expected) => {
    const range = { start_ms: T0_MS - span, end_ms: T0_MS };

    expect(defaultLogInterval(range)).toBe(expected);
  });

  it('keeps any range up to 31 days within 61 buckets', () => {
    for (let span = 0; span <= MAX_LOG_RANGE_MS; span += 7_777_777) {
      // An unaligned end makes alignment add a partial bucket.
      const range = { start_ms: T0_MS + 1 - span, end_ms: T0_MS + 1 };
      const interval = defaultLogInterval(range);

      expect(bucketCountOf(range, interval)).toBeLessThanOrEqual(61);
    }
  });
});

describe('fillBuckets', () => {
  const range = { start_ms: T0_MS + 30_000, end_ms: T0_MS + 2 * MINUTE_MS };

  it('adds counts to their bucket and zeros elsewhere', () => {
    const buckets = fillBuckets(range, MINUTE_MS, [
      { bucket_ms: T0_MS, level: 'INFO', count: 3 },
      { bucket_ms: T0_MS + 2 * MINUTE_MS, level: 'UNSPECIFIED', count: 2 },
    ]);

    expect(buckets.map((bucket) => bucket.timestamp)).toEqual([
      '2026-01-15T12:00:00.000Z',
      '2026-01-15T12:01:00.000Z',
      '2026-01-15T12:02:00.000Z',
    ]);
    expect(buckets.map((bucket) => bucket.total)).toEqual([3, 0, 2]);
    expect(buckets[0]?.counts.INFO).toBe(3);
    expect(buckets[2]?.counts.UNSPECIFIED).toBe(2);
    expect(buckets[1]?.counts).toEqual({
      TRACE: 0,
      DEBUG: 0,
      INFO: 0,
      WARN: 0,
      ERROR: 0,
      FATAL: 0,
      UNSPECIFIED: 0,
    });
  });

  it('raises on a bucket outside the range', () => {
    const counts = [
      { bucket_ms: T0_MS + 3 * MINUTE_MS, level: 'INFO' as const, count: 1 },
    ];

    expect(() => fillBuckets(range, MINUTE_MS, counts)).toThrow(
      /outside the 60000 ms buckets/,
    );
  });
});

describe('checkLogRange', () => {
  it('accepts start equal to end', () => {
    expect(() =>
      checkLogRange({ start_ms: T0_MS, end_ms: T0_MS }),
    ).not.toThrow();
  });

  it('accepts exactly the maximum range', () => {
    const range = { start_ms: T0_MS - MAX_LOG_RANGE_MS, end_ms: T0_MS };

    expect(() => checkLogRange(range)).not.toThrow();
  });

  it('rejects one millisecond over the maximum', () => {
    const range = { start_ms: T0_MS - MAX_LOG_RANGE_MS - 1, end_ms: T0_MS };

    expect(() => checkLogRange(range)).toThrow(/maximum of 31 days/);
  });
});
