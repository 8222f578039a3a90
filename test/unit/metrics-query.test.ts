import { describe, expect, it } from 'vitest';
import { ValidationError } from '#shared/errors.js';
import { parseInput } from '#shared/http/request.js';
import {
  bucketCount,
  checkResultSize,
  MAX_QUERY_BUCKETS,
  MAX_QUERY_POINTS,
  metricQuerySchema,
  parseInterval,
  toMetricQuery,
} from '#shared/metrics/query.js';

const NOW = Date.parse('2026-03-02T12:00:00.000Z');
const base = { service: 'api', metric_name: 'cpu.util' };

function resolve(body: Record<string, unknown>) {
  const input = parseInput(metricQuerySchema, { ...base, ...body }, 'body');
  return toMetricQuery(input, NOW);
}

function errorOf(body: Record<string, unknown>): ValidationError {
  try {
    resolve(body);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('parseInterval', () => {
  it.each<[number | string, number]>([
    ['30s', 30_000],
    ['1m', 60_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['90', 90_000],
    [15, 15_000],
  ])('reads %s', (text, ms) => {
    expect(parseInterval(text)).toBe(ms);
  });

  it.each<[number | string]>([
    ['0s'],
    ['-1m'],
    ['1.5m'],
    ['1w'],
    ['m'],
    [''],
    [0],
    [-5],
    [0.5],
    [Number.POSITIVE_INFINITY],
  ])('rejects %s', (text) => {
    expect(parseInterval(text)).toBeUndefined();
  });
});

describe('toMetricQuery', () => {
  it('defaults to the last hour in one-minute avg buckets', () => {
    const query = resolve({});

    expect(query).toEqual({
      ...base,
      matchers: [],
      start_ms: NOW - 3_600_000,
      end_ms: NOW,
      interval_ms: 60_000,
      aggregation: 'avg',
    });
  });

  it('reads ISO and epoch ms times', () => {
    const query = resolve({
      start: '2026-03-02T10:00:00Z',
      end: NOW - 60_000,
    });

    expect(query.start_ms).toBe(Date.parse('2026-03-02T10:00:00Z'));
    expect(query.end_ms).toBe(NOW - 60_000);
  });

  it('adds labels as equality matchers after explicit ones', () => {
    const query = resolve({
      matchers: [{ label: 'zone', op: '=~', value: 'z.*' }],
      labels: { host: 'a' },
    });

    expect(query.matchers).toEqual([
      { label: 'zone', op: '=~', value: 'z.*' },
      { label: 'host', op: '=', value: 'a' },
    ]);
  });

  it.each(['rate', 'increase', 'p50', 'p90', 'p95', 'p99'])(
    'accepts aggregation %s',
    (aggregation) => {
      expect(resolve({ aggregation }).aggregation).toBe(aggregation);
    },
  );

  it('passes group_by through, empty included', () => {
    expect(resolve({ group_by: ['zone', 'host'] }).group_by).toEqual([
      'zone',
      'host',
    ]);
    expect(resolve({ group_by: [] }).group_by).toEqual([]);
    expect(resolve({})).not.toHaveProperty('group_by');
  });

  it('rejects a start at or after the end', () => {
    const error = errorOf({ start: NOW, end: NOW });

    expect(error.details[0]?.path).toBe('start');
    expect(error.message).toContain('must be before end');
  });

  it('accepts exactly the bucket limit', () => {
    const start = NOW - MAX_QUERY_BUCKETS * 1_000;

    expect(() => resolve({ start, end: NOW, interval: 1 })).not.toThrow();
  });

  it('rejects one bucket over the limit', () => {
    const start = NOW - MAX_QUERY_BUCKETS * 1_000 - 1_000;

    const error = errorOf({ start, end: NOW, interval: '1s' });

    expect(error.details[0]?.path).toBe('interval');
    expect(error.message).toContain('above the limit of 11000');
    expect(error.message).toContain('at least 2s');
  });

  it('rejects an invalid regex naming the matcher', () => {
    const error = errorOf({
      matchers: [
        { label: 'a', op: '=', value: '(' },
        { label: 'b', op: '!~', value: '[z-a]' },
      ],
    });

    expect(error.details[0]?.path).toBe('matchers[1].value');
    expect(error.message).toContain('not a valid regular expression');
  });

  it.each<[Record<string, unknown>, string]>([
    [{ service: '' }, 'service'],
    [{ metric_name: undefined }, 'metric_name'],
    [{ aggregation: 'p42' }, 'aggregation'],
    [{ aggregation: 'median' }, 'aggregation'],
    [{ group_by: 'host' }, 'group_by'],
    [{ group_by: ['host', ''] }, 'group_by[1]'],
    [{ group_by: ['host', 7] }, 'group_by[1]'],
    [{ group_by: ['host', 'host'] }, 'group_by'],
    [{ group_by: Array.from({ length: 17 }, (_, i) => `l${i}`) }, 'group_by'],
    [{ interval: '1w' }, 'interval'],
    [{ start: 'soon' }, 'start'],
    [{ matchers: [{ label: 'a', op: '~', value: 'x' }] }, 'matchers[0].op'],
    [{ matchers: [{ label: '', op: '=', value: 'x' }] }, 'matchers[0].label'],
    [{ labels: { code: 200 } }, 'labels.code'],
  ])('rejects %o naming %s', (body, path) => {
    expect(errorOf(body).details[0]?.path).toBe(path);
  });
});

describe('checkResultSize', () => {
  const seriesOf = (points: number) => [
    {
      labels: {},
      points: Array.from({ length: points }, (_, i) => ({
        timestamp_ms: i,
        value: 1,
      })),
    },
  ];

  it('accepts the point limit', () => {
    expect(() => checkResultSize(seriesOf(MAX_QUERY_POINTS))).not.toThrow();
  });

  it('rejects one point over the limit', () => {
    expect(() => checkResultSize(seriesOf(MAX_QUERY_POINTS + 1))).toThrow(
      /selects 50001 points in 1 series, above the limit of 50000/,
    );
  });
});

describe('bucketCount', () => {
  it.each([
    [0, 60_000, 60_000, 1],
    [30_000, 90_000, 60_000, 2],
    [0, 60_001, 60_000, 2],
  ])('counts [%i, %i) by %i as %i', (start, end, interval, count) => {
    expect(bucketCount(start, end, interval)).toBe(count);
  });
});
