import { describe, expect, it } from 'vitest';
import { ValidationError } from '#shared/errors.js';
import { parseInput } from '#shared/http/request.js';
import type { DistributionSample } from '#shared/metrics/distributions.js';
import {
  distributionStatistics,
  MAX_STATISTICS_RANGE_MS,
  statisticsParamsSchema,
  toStatisticsQuery,
} from '#shared/metrics/statistics.js';

const NOW = Date.parse('2026-03-02T12:00:00.000Z');

function resolve(params: Record<string, string>) {
  const parsed = parseInput(statisticsParamsSchema, params, 'query');
  return toStatisticsQuery('api', 'cpu.util', parsed, NOW);
}

function errorOf(params: Record<string, string>): ValidationError {
  try {
    resolve(params);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('toStatisticsQuery', () => {
  it('defaults to the hour before now', () => {
    expect(resolve({})).toEqual({
      service: 'api',
      metric_name: 'cpu.util',
      start_ms: NOW - 3_600_000,
      end_ms: NOW,
    });
  });

  it('reads ISO and epoch millisecond times', () => {
    const query = resolve({
      start: '2026-03-02T10:00:00Z',
      end: String(NOW - 60_000),
    });

    expect(query.start_ms).toBe(Date.parse('2026-03-02T10:00:00Z'));
    expect(query.end_ms).toBe(NOW - 60_000);
  });

  it('accepts the maximum range', () => {
    const start = String(NOW - MAX_STATISTICS_RANGE_MS);

    expect(resolve({ start, end: String(NOW) }).start_ms).toBe(
      NOW - MAX_STATISTICS_RANGE_MS,
    );
  });

  it.each<[string, Record<string, string>, string]>([
    ['an empty range', { start: String(NOW), end: String(NOW) }, 'start'],
    [
      'a backwards range',
      { start: String(NOW), end: String(NOW - 1) },
      'start',
    ],
    [
      'a range over 31 days',
      { start: String(NOW - MAX_STATISTICS_RANGE_MS - 1), end: String(NOW) },
      'start',
    ],
    ['a start that is no time', { start: 'yesterday' }, 'start'],
    ['an end that is no time', { end: '12:00' }, 'end'],
  ])('rejects %s naming the field', (_case, params, path) => {
    const error = errorOf(params);

    expect(error.details[0]?.path).toBe(path);
    expect(error.message).toContain(path);
  });
});

function histogramSample(
  counts: number[],
  sum: number | null,
  extremes: { min: number | null; max: number | null },
): DistributionSample {
  return {
    histogram: {
      bounds: [1, 10],
      counts,
      count: counts.reduce((a, b) => a + b, 0),
      sum,
      ...extremes,
    },
    exponential_histogram: null,
    summary: null,
  };
}

describe('distributionStatistics', () => {
  it('computes count, mean and extremes from histograms', () => {
    const stats = distributionStatistics('histogram', 's', [
      histogramSample([1, 2, 1], 12, { min: 0.5, max: 20 }),
      histogramSample([0, 4, 0], 20, { min: 2, max: 8 }),
    ]);

    expect(stats).toMatchObject({
      type: 'histogram',
      unit: 's',
      count: 8,
      mean: 4,
      min: 0.5,
      max: 20,
      stddev: null,
    });
    // Counts [1, 6, 1] over [0.5, 1], (1, 10], (10, 20]: rank 4 is 3/6 in.
    expect(stats.p50).toBeCloseTo(5.5, 12);
    expect(stats.note).toMatch(/^stddev is null/);
  });

  it('leaves points without a sum out of the mean', () => {
    const stats = distributionStatistics('histogram', 's', [
      histogramSample([0, 2, 0], 8, { min: null, max: null }),
      histogramSample([0, 6, 0], null, { min: null, max: null }),
    ]);

    expect(stats.count).toBe(8);
    expect(stats.mean).toBe(4);
  });

  it('leaves min null unless every histogram has one', () => {
    const stats = distributionStatistics('histogram', 's', [
      histogramSample([1, 0, 0], 1, { min: 0.5, max: 0.5 }),
      histogramSample([1, 0, 0], 1, { min: null, max: 0.7 }),
    ]);

    expect(stats.min).toBeNull();
    expect(stats.max).toBe(0.7);
  });

  it('returns nulls for histograms with no observations', () => {
    const stats = distributionStatistics('histogram', 's', [
      histogramSample([0, 0, 0], 0, { min: null, max: null }),
    ]);

    expect(stats).toMatchObject({ count: 0, mean: null, p50: null, p99: null });
  });

  it('describes summaries by count, sum and quantiles', () => {
    const stats = distributionStatistics('summary', 'ms', [
      {
        histogram: null,
        exponential_histogram: null,
        summary: {
          count: 4,
          sum: 10,
          quantiles: [
            { quantile: 0.5, value: 2 },
            { quantile: 0.95, value: 6 },
          ],
        },
      },
    ]);

    expect(stats).toMatchObject({
      count: 4,
      mean: 2.5,
      min: null,
      max: null,
      stddev: null,
      p50: 2,
      p95: 6,
      p99: null,
    });
    expect(stats.note).toContain('summaries');
  });
});
