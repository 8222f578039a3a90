import { describe, expect, it } from 'vitest';
import {
  bucketIncreases,
  type CounterReading,
  readingIncreases,
} from '#shared/metrics/increase.js';

const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const MINUTE = 60_000;

function reading(
  value: number,
  minute: number,
  fields: Partial<CounterReading> = {},
): CounterReading {
  return {
    group: 'g',
    series: 's',
    start_timestamp_ms: T0 - MINUTE,
    timestamp_ms: T0 + minute * MINUTE,
    value,
    delta: false,
    ...fields,
  };
}

describe('readingIncreases', () => {
  it('adds the changes of a cumulative series', () => {
    const increases = readingIncreases(
      [reading(5, 1), reading(7, 2), reading(7, 3), reading(10, 4)],
      T0,
    );

    expect(increases).toEqual([0, 2, 0, 3]);
  });

  it('counts a drop as a reset, never as negative', () => {
    const increases = readingIncreases(
      [reading(5, 1), reading(7, 2), reading(2, 3), reading(4, 4)],
      T0,
    );

    expect(increases).toEqual([0, 2, 2, 2]);
  });

  it('counts the first value when the start is in range', () => {
    const start = { start_timestamp_ms: T0 + 10_000 };

    const increases = readingIncreases(
      [reading(5, 1, start), reading(7, 2, start)],
      T0,
    );

    expect(increases).toEqual([5, 2]);
  });

  it.each<[string, number | null]>([
    ['before the range', T0 - 1],
    ['unknown', null],
  ])('has no baseline when the start is %s', (_case, start) => {
    const increases = readingIncreases(
      [reading(5, 1, { start_timestamp_ms: start })],
      T0,
    );

    expect(increases).toEqual([0]);
  });

  it('counts a start exactly at the range start as inside', () => {
    const increases = readingIncreases(
      [reading(4, 1, { start_timestamp_ms: T0 })],
      T0,
    );

    expect(increases).toEqual([4]);
  });

  it('starts a new series at a new start time', () => {
    const increases = readingIncreases(
      [
        reading(1, 0, { start_timestamp_ms: T0 }),
        reading(1, 10, { start_timestamp_ms: T0 + 10 * MINUTE }),
        reading(1, 20, { start_timestamp_ms: T0 + 20 * MINUTE }),
      ],
      T0,
    );

    expect(increases).toEqual([1, 1, 1]);
  });

  it('starts a new series at new labels', () => {
    const increases = readingIncreases(
      [reading(5, 1), reading(9, 2), reading(3, 1, { series: 't' })],
      T0,
    );

    expect(increases).toEqual([0, 4, 0]);
  });

  it('adds delta values as they are', () => {
    const delta = { delta: true };

    const increases = readingIncreases(
      [reading(2, 1, delta), reading(1, 2, delta), reading(-3, 3, delta)],
      T0,
    );

    expect(increases).toEqual([2, 1, -3]);
  });
});

describe('bucketIncreases', () => {
  const options = { start_ms: T0, interval_ms: 30 * MINUTE };

  it('gives three short runs of a job an increase of 3', () => {
    const runs = [0, 10, 20].map((minute) =>
      reading(1, minute, { start_timestamp_ms: T0 + minute * MINUTE }),
    );

    const increase = bucketIncreases(runs, { ...options, per_second: false });
    const rate = bucketIncreases(runs, { ...options, per_second: true });

    expect(increase.get('g')).toEqual([{ timestamp_ms: T0, value: 3 }]);
    expect(rate.get('g')).toEqual([{ timestamp_ms: T0, value: 3 / 1_800 }]);
  });

  it('puts a change in the bucket of the later reading', () => {
    const perMinute = { start_ms: T0, interval_ms: MINUTE, per_second: false };

    const series = bucketIncreases(
      [reading(10, 0.9), reading(16, 1.1)],
      perMinute,
    );

    expect(series.get('g')).toEqual([
      { timestamp_ms: T0, value: 0 },
      { timestamp_ms: T0 + MINUTE, value: 6 },
    ]);
  });

  it('adds the series of one group together', () => {
    const series = bucketIncreases(
      [
        reading(1, 1, { series: 'a' }),
        reading(4, 2, { series: 'a' }),
        reading(2, 1, { series: 'b' }),
        reading(7, 2, { series: 'b' }),
        reading(5, 1, { series: 'c', group: 'h' }),
        reading(6, 2, { series: 'c', group: 'h' }),
      ],
      { ...options, per_second: false },
    );

    expect(series.get('g')).toEqual([{ timestamp_ms: T0, value: 8 }]);
    expect(series.get('h')).toEqual([{ timestamp_ms: T0, value: 1 }]);
  });

  it('divides by the interval in seconds for the rate', () => {
    const series = bucketIncreases([reading(0, 1), reading(120, 2)], {
      start_ms: T0,
      interval_ms: MINUTE,
      per_second: true,
    });

    expect(series.get('g')?.map((p) => p.value)).toEqual([0, 2]);
  });

  it('returns no series for no readings', () => {
    const series = bucketIncreases([], { ...options, per_second: true });

    expect(series.size).toBe(0);
  });
});
