import { describe, expect, it } from 'vitest';
import { fixedClock } from '#shared/clock.js';
import { parseApiPoint } from '#shared/metrics/api-point.js';
import { describeProblem } from '#shared/metrics/rules.js';
import type { IngestWindow } from '#shared/model/time.js';

const NOW = Date.parse('2026-03-02T12:00:00.000Z');
const WINDOW: IngestWindow = {
  clock: fixedClock(NOW),
  maxAgeMs: 24 * 3_600_000,
  maxFutureMs: 10 * 60_000,
};

const gauge = { service: 'api', name: 'cpu.util', type: 'gauge', value: 0.5 };
const histogram = {
  service: 'api',
  name: 'http.duration',
  type: 'histogram',
  buckets: { bounds: [0.1, 1], counts: [1, 2, 0] },
  count: 3,
  sum: 1.4,
};
const summary = {
  service: 'api',
  name: 'rpc.latency',
  type: 'summary',
  count: 4,
  sum: 10,
  quantiles: [
    { quantile: 0.5, value: 2 },
    { quantile: 0.99, value: 5 },
  ],
};

/** Returns the rejection reason for `raw`, or undefined if it parses. */
function reasonFor(raw: unknown): string | undefined {
  const result = parseApiPoint(raw, WINDOW);
  return result.ok ? undefined : describeProblem(result.problem);
}

function pointOf(raw: unknown) {
  const result = parseApiPoint(raw, WINDOW);
  if (!result.ok) throw new Error(describeProblem(result.problem));
  return result.point;
}

describe('parseApiPoint mapping', () => {
  it('defaults the timestamp to the clock', () => {
    expect(pointOf(gauge).timestamp_ms).toBe(NOW);
  });

  it.each([
    ['ISO 8601', '2026-03-02T11:59:00.250Z', NOW - 59_750],
    ['epoch ms', NOW - 1_000, NOW - 1_000],
    ['epoch ms as digits', String(NOW - 2_000), NOW - 2_000],
  ])('reads a timestamp in %s', (_kind, timestamp, expected) => {
    expect(pointOf({ ...gauge, timestamp }).timestamp_ms).toBe(expected);
  });

  it('maps a counter as monotonic and cumulative', () => {
    const point = pointOf({
      ...gauge,
      type: 'counter',
      value: 3,
      start_timestamp: NOW - 60_000,
    });

    expect(point.monotonic).toBe(true);
    expect(point.temporality).toBe('cumulative');
    expect(point.start_timestamp_ms).toBe(NOW - 60_000);
  });

  it('keeps a delta temporality', () => {
    const point = pointOf({ ...gauge, type: 'counter', temporality: 'delta' });

    expect(point.temporality).toBe('delta');
  });

  it('maps histogram buckets and extremes', () => {
    const point = pointOf({ ...histogram, min: 0.05, max: 3 });

    expect(point.value).toBeNull();
    expect(point.histogram).toEqual({
      bounds: [0.1, 1],
      counts: [1, 2, 0],
      count: 3,
      sum: 1.4,
      min: 0.05,
      max: 3,
    });
  });

  it('maps summary quantiles', () => {
    expect(pointOf(summary).summary).toEqual({
      count: 4,
      sum: 10,
      quantiles: summary.quantiles,
    });
  });

  it('keeps labels as typed string attributes', () => {
    const point = pointOf({ ...gauge, labels: { host: 'a', 'k8s.pod': 'p' } });

    expect(point.labels).toEqual({ host: 'a', 'k8s.pod': 'p' });
    expect(point.attributes).toEqual({
      host: { stringValue: 'a' },
      'k8s.pod': { stringValue: 'p' },
    });
    expect(point.resource).toEqual({ 'service.name': { stringValue: 'api' } });
  });
});

describe('parseApiPoint rejections', () => {
  it.each<[string, unknown, RegExp]>([
    [
      'missing service',
      { ...gauge, service: undefined },
      /^service: is missing/,
    ],
    ['blank name', { ...gauge, name: '  ' }, /^name: is empty/],
    ['unknown type', { ...gauge, type: 'meter' }, /^type: must be one of/],
    ['missing type', { service: 'api', name: 'x', value: 1 }, /^type: /],
    ['string value', { ...gauge, value: '0.5' }, /^value: must be a finite/],
    [
      'infinite value',
      { ...gauge, value: Infinity },
      /^value: must be a finite/,
    ],
    ['NaN value', { ...gauge, value: Number.NaN }, /^value: must be a finite/],
    ['missing value', { ...gauge, value: undefined }, /^value: is missing/],
    [
      'negative counter',
      { ...gauge, type: 'counter', value: -1 },
      /^value: must not be negative for a counter/,
    ],
    [
      'number label',
      { ...gauge, labels: { code: 200 } },
      /^labels\.code: .*strings/,
    ],
    [
      'empty label key',
      { ...gauge, labels: { '': 'x' } },
      /^labels: label keys/,
    ],
    [
      'bad timestamp',
      { ...gauge, timestamp: 'yesterday' },
      /^timestamp: invalid/,
    ],
    [
      'old timestamp',
      { ...gauge, timestamp: NOW - 25 * 3_600_000 },
      /^timestamp: .*older than the accepted window/,
    ],
    [
      'future timestamp',
      { ...gauge, timestamp: NOW + 11 * 60_000 },
      /^timestamp: .*in the future/,
    ],
    [
      'start after timestamp',
      { ...gauge, type: 'counter', start_timestamp: NOW + 1, timestamp: NOW },
      /^start_timestamp: must not be after/,
    ],
    ['a number', 42, /^point: must be a JSON object/],
    ['an array', [gauge], /^point: must be a JSON object/],
    ['null', null, /^point: must be a JSON object/],
    [
      'too many labels',
      {
        ...gauge,
        labels: Object.fromEntries(
          Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']),
        ),
      },
      /^labels: has more than 64 labels/,
    ],
    [
      'a long label value',
      { ...gauge, labels: { k: 'x'.repeat(2049) } },
      /^labels\.k: label values must be at most 2048/,
    ],
  ])('rejects %s', (_case, raw, reason) => {
    expect(reasonFor(raw)).toMatch(reason);
  });

  it.each<[string, unknown, RegExp]>([
    [
      'too few counts',
      { ...histogram, buckets: { bounds: [0.1, 1], counts: [1, 2] }, count: 3 },
      /^buckets\.counts: has 2 entries but 2 bounds need 3/,
    ],
    [
      'unsorted bounds',
      { ...histogram, buckets: { bounds: [1, 0.1], counts: [1, 2, 0] } },
      /^buckets\.bounds: must be strictly increasing/,
    ],
    [
      'repeated bound',
      { ...histogram, buckets: { bounds: [1, 1], counts: [1, 2, 0] } },
      /^buckets\.bounds: must be strictly increasing/,
    ],
    [
      'fractional count',
      { ...histogram, buckets: { bounds: [0.1, 1], counts: [1, 1.5, 0] } },
      /^buckets\.counts\[1\]: must be a non-negative integer/,
    ],
    [
      'negative count',
      { ...histogram, buckets: { bounds: [0.1, 1], counts: [1, -2, 0] } },
      /^buckets\.counts\[1\]: must be a non-negative integer/,
    ],
    [
      'count unlike buckets',
      { ...histogram, count: 4 },
      /^count: is 4 but the buckets hold 3 values/,
    ],
    ['infinite sum', { ...histogram, sum: Infinity }, /^sum: must be a finite/],
    ['missing sum', { ...histogram, sum: undefined }, /^sum: is missing/],
    [
      'infinite bound',
      { ...histogram, buckets: { bounds: [0.1, Infinity], counts: [1, 2, 0] } },
      /^buckets\.bounds\[1\]: must be a finite/,
    ],
    [
      'min above max',
      { ...histogram, min: 5, max: 1 },
      /^min: must not exceed max/,
    ],
    [
      'missing buckets',
      { ...histogram, buckets: undefined },
      /^buckets: is missing or not an object/,
    ],
  ])('rejects a histogram with %s', (_case, raw, reason) => {
    expect(reasonFor(raw)).toMatch(reason);
  });

  it.each<[string, unknown, RegExp]>([
    [
      'quantile above 1',
      { ...summary, quantiles: [{ quantile: 1.5, value: 2 }] },
      /^quantiles\[0\]\.quantile: must be from 0 to 1/,
    ],
    [
      'negative quantile',
      { ...summary, quantiles: [{ quantile: -0.1, value: 2 }] },
      /^quantiles\[0\]\.quantile: must be from 0 to 1/,
    ],
    [
      'non-finite quantile value',
      { ...summary, quantiles: [{ quantile: 0.5, value: -Infinity }] },
      /^quantiles\[0\]\.value: must be a finite/,
    ],
    [
      'fractional count',
      { ...summary, count: 2.5 },
      /^count: must be a non-negative integer/,
    ],
    ['missing quantiles', { ...summary, quantiles: undefined }, /^quantiles: /],
  ])('rejects a summary with %s', (_case, raw, reason) => {
    expect(reasonFor(raw)).toMatch(reason);
  });
});
