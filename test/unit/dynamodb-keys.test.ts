import { describe, expect, it } from 'vitest';
import {
  expiresAt,
  hourBucket,
  hourBuckets,
  msOfNanos,
  padNanos,
  shardOf,
  traceIndexSortKey,
} from '#shared/store/aws/dynamodb/keys.js';

const T0_MS = Date.UTC(2026, 4, 28, 20, 30);
const HOUR = 3_600_000;

describe('padNanos', () => {
  it('pads to 20 digits', () => {
    expect(padNanos(1_780_000_000_000_000_001n)).toBe('01780000000000000001');
  });

  it('keeps text order equal to numeric order', () => {
    const values = [0n, 9n, 10n, 999_999_999_999n, 2n ** 64n - 1n];
    const texts = values.map(padNanos);

    expect([...texts].sort()).toEqual(texts);
  });

  it('rejects a negative time', () => {
    expect(() => padNanos(-1n)).toThrow(RangeError);
  });
});

describe('msOfNanos', () => {
  it('rounds down to whole milliseconds', () => {
    expect(msOfNanos(1_999_999n)).toBe(1);
  });
});

describe('hourBucket', () => {
  it.each([
    [T0_MS, '2026-05-28T20'],
    [Date.UTC(2026, 4, 28, 20), '2026-05-28T20'],
    [Date.UTC(2026, 4, 28, 20) - 1, '2026-05-28T19'],
    [Date.UTC(2027, 0, 1), '2027-01-01T00'],
  ])('puts %i in %s', (ms, bucket) => {
    expect(hourBucket(ms)).toBe(bucket);
  });
});

describe('hourBuckets', () => {
  it('lists touched hours newest first', () => {
    expect(hourBuckets(T0_MS - HOUR, T0_MS + HOUR)).toEqual([
      '2026-05-28T21',
      '2026-05-28T20',
      '2026-05-28T19',
    ]);
  });

  it('leaves out the hour the exclusive end starts', () => {
    const hourStart = Date.UTC(2026, 4, 28, 21);

    expect(hourBuckets(hourStart - 1, hourStart)).toEqual(['2026-05-28T20']);
  });

  it.each([
    ['an empty range', T0_MS, T0_MS],
    ['a reversed range', T0_MS, T0_MS - 1],
  ])('returns none for %s', (_label, start, end) => {
    expect(hourBuckets(start, end)).toEqual([]);
  });
});

describe('shardOf', () => {
  it('returns the same shard for the same id', () => {
    expect(shardOf('b7ad6b7169203331', 4)).toBe(shardOf('b7ad6b7169203331', 4));
  });

  it('spreads ids over every shard in range', () => {
    const seen = new Set<number>();
    for (let n = 0; n < 200; n += 1) {
      seen.add(shardOf(n.toString(16).padStart(16, '0'), 4));
    }

    expect([...seen].sort()).toEqual([0, 1, 2, 3]);
  });
});

describe('expiresAt', () => {
  it('adds the retention in days to the event second', () => {
    expect(expiresAt(1_780_000_000_999, 30)).toBe(1_780_000_000 + 30 * 86_400);
  });
});

describe('traceIndexSortKey', () => {
  it('orders by start, then trace id', () => {
    const keys = [
      traceIndexSortKey(5n, 'a'.repeat(32)),
      traceIndexSortKey(5n, 'b'.repeat(32)),
      traceIndexSortKey(40n, '0'.repeat(32)),
    ];

    expect([...keys].sort()).toEqual(keys);
  });
});
