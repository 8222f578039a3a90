import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '#shared/errors.js';
import type {
  Aggregation,
  LabelMatcher,
  MetricPoint,
  MetricQuery,
} from '#shared/model/metric.js';
import type { MetricStore } from '#shared/store/ports.js';

/** A store under test and how to release it. */
export interface MetricStoreHandle {
  store: MetricStore;
  close(): Promise<void>;
}

/**
 * Start of the test data: the top of the hour before the current one, so
 * a backend with a retention window (Timestream's memory store) accepts
 * it and buckets of up to an hour align with it.
 */
export const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000;

/** Builds a gauge point of service `api`, overriding the given fields. */
export function gauge(
  value: number,
  labels: Record<string, string>,
  overrides: Partial<MetricPoint> = {},
): MetricPoint {
  return {
    service: 'api',
    name: 'cpu.util',
    type: 'gauge',
    unit: '1',
    labels,
    timestamp_ms: T0,
    start_timestamp_ms: null,
    temporality: null,
    monotonic: null,
    value,
    histogram: null,
    exponential_histogram: null,
    summary: null,
    attributes: Object.fromEntries(
      Object.entries(labels).map(([k, v]) => [k, { stringValue: v }]),
    ),
    resource: { 'service.name': { stringValue: 'api' } },
    scope: null,
    ...overrides,
  };
}

/** Builds a cumulative `http.duration` histogram with bounds 0.1 and 1. */
export function histogram(
  counts: [number, number, number],
  sum: number | null,
  overrides: Partial<MetricPoint> = {},
): MetricPoint {
  const count = counts[0] + counts[1] + counts[2];
  return gauge(
    0,
    { route: '/a' },
    {
      name: 'http.duration',
      type: 'histogram',
      unit: 's',
      value: null,
      temporality: 'cumulative',
      start_timestamp_ms: T0 - 60_000,
      histogram: { bounds: [0.1, 1], counts, count, sum, min: 0.01, max: 3 },
      ...overrides,
    },
  );
}

/** Builds a monotonic cumulative `job.runs` counter point. */
export function counter(
  value: number,
  startMs: number,
  timestampMs: number,
): MetricPoint {
  return gauge(
    value,
    { job: 'nightly' },
    {
      name: 'job.runs',
      type: 'counter',
      temporality: 'cumulative',
      monotonic: true,
      start_timestamp_ms: startMs,
      timestamp_ms: timestampMs,
    },
  );
}

/**
 * Builds an `rpc.latency` summary of pod `a` (unless `labels` is given),
 * begun a minute before T0, whose p50 is its mean. It has no temporality,
 * as OTLP summaries are stored, so its count and sum are cumulative.
 */
export function latencySummary(
  count: number,
  sum: number,
  timestampMs: number,
  overrides: Partial<MetricPoint> = {},
): MetricPoint {
  const quantiles = [{ quantile: 0.5, value: sum / count }];
  return gauge(0, overrides.labels ?? { pod: 'a' }, {
    name: 'rpc.latency',
    type: 'summary',
    unit: 'ms',
    value: null,
    start_timestamp_ms: T0 - 60_000,
    timestamp_ms: timestampMs,
    summary: { count, sum, quantiles },
    ...overrides,
  });
}

/** Builds a query of `cpu.util` over the hour from T0, overriding fields. */
export function query(overrides: Partial<MetricQuery> = {}): MetricQuery {
  return {
    service: 'api',
    metric_name: 'cpu.util',
    matchers: [],
    start_ms: T0,
    end_ms: T0 + 3_600_000,
    interval_ms: 60_000,
    aggregation: 'avg',
    ...overrides,
  };
}

/** The time `minute` minutes after T0. */
export const at = (minute: number) => T0 + minute * 60_000;

/**
 * The behaviour every {@link MetricStore} adapter must share: idempotent
 * writes, keep-first conflicts reported by index, series by start time,
 * bucketed aggregations and label matchers.
 */
export function metricStoreContract(
  adapter: string,
  open: () => Promise<MetricStoreHandle>,
): void {
  describe(`MetricStore contract: ${adapter}`, () => {
    let handle: MetricStoreHandle;
    let store: MetricStore;

    beforeEach(async () => {
      handle = await open();
      store = handle.store;
    });

    afterEach(async () => {
      await handle.close();
    });

    describe('write', () => {
      it('stores new points and counts them as written', async () => {
        const result = await store.write([
          gauge(0.5, { host: 'a' }),
          gauge(0.3, { host: 'b' }),
        ]);

        expect(result).toEqual({ written: 2, duplicates: 0, rejected: [] });
      });

      it('treats a repeated batch as duplicates', async () => {
        const batch = [gauge(0.5, { host: 'a' }), gauge(0.3, { host: 'b' })];
        await store.write(batch);

        const again = await store.write(batch);
        const series = await store.query(query({ aggregation: 'count' }));

        expect(again).toEqual({ written: 0, duplicates: 2, rejected: [] });
        expect(series.map((s) => s.points[0]?.value)).toEqual([1, 1]);
      });

      it('matches labels regardless of key order', async () => {
        await store.write([gauge(0.5, { host: 'a', zone: 'z1' })]);

        const again = await store.write([
          gauge(0.5, { zone: 'z1', host: 'a' }),
        ]);

        expect(again).toEqual({ written: 0, duplicates: 1, rejected: [] });
      });

      it('keeps the stored value when a later write differs', async () => {
        await store.write([gauge(0.5, { host: 'a' })]);

        const result = await store.write([
          gauge(0.3, { host: 'b' }),
          gauge(0.7, { host: 'a' }),
        ]);
        const series = await store.query(query());

        expect(result.written).toBe(1);
        expect(result.rejected).toHaveLength(1);
        expect(result.rejected[0]?.index).toBe(1);
        expect(result.rejected[0]?.reason).toMatch(/^timestamp: /);
        expect(result.rejected[0]?.reason).toContain('value 0.5');
        expect(series[0]?.points[0]?.value).toBe(0.5);
      });

      it('keeps the first of two differing points in one batch', async () => {
        const result = await store.write([
          gauge(0.5, { host: 'a' }),
          gauge(0.5, { host: 'a' }),
          gauge(0.7, { host: 'a' }),
        ]);
        const series = await store.query(query());

        expect(result.written).toBe(1);
        expect(result.duplicates).toBe(1);
        expect(result.rejected.map((r) => r.index)).toEqual([2]);
        expect(result.rejected[0]?.reason).toContain('point 0');
        expect(series[0]?.points[0]?.value).toBe(0.5);
      });

      it('stores a new start time as a new series', async () => {
        await store.write([counter(5, T0 - 60_000, at(10))]);

        const reset = await store.write([counter(1, at(9), at(10))]);
        const counts = await store.query(
          query({ metric_name: 'job.runs', aggregation: 'count' }),
        );

        expect(reset).toEqual({ written: 1, duplicates: 0, rejected: [] });
        expect(counts[0]?.points).toEqual([{ timestamp_ms: at(10), value: 2 }]);
      });

      it('stores each run of a restarted job separately', async () => {
        for (const offset of [0, 600_000, 1_200_000]) {
          const result = await store.write([
            counter(1, T0 + offset, T0 + offset + 1_000),
          ]);
          expect(result.written).toBe(1);
        }
        const sums = await store.query(
          query({
            metric_name: 'job.runs',
            aggregation: 'sum',
            interval_ms: 3_600_000,
          }),
        );

        expect(sums[0]?.points).toEqual([{ timestamp_ms: T0, value: 3 }]);
      });

      it('accepts an empty batch', async () => {
        const result = await store.write([]);

        expect(result).toEqual({ written: 0, duplicates: 0, rejected: [] });
      });
    });

    describe('query aggregations', () => {
      beforeEach(async () => {
        await store.write([
          gauge(1, { host: 'a' }, { timestamp_ms: at(0) }),
          gauge(2, { host: 'a' }, { timestamp_ms: at(0) + 10_000 }),
          gauge(6, { host: 'a' }, { timestamp_ms: at(0) + 20_000 }),
          gauge(4, { host: 'a' }, { timestamp_ms: at(2) }),
        ]);
      });

      it.each<[Aggregation, number]>([
        ['avg', 3],
        ['sum', 9],
        ['min', 1],
        ['max', 6],
        ['count', 3],
      ])('computes %s per bucket', async (aggregation, expected) => {
        const series = await store.query(query({ aggregation }));

        expect(series[0]?.points[0]).toEqual({
          timestamp_ms: at(0),
          value: expected,
        });
      });

      it('omits buckets without data', async () => {
        const series = await store.query(query({ aggregation: 'sum' }));

        expect(series[0]?.points).toEqual([
          { timestamp_ms: at(0), value: 9 },
          { timestamp_ms: at(2), value: 4 },
        ]);
      });

      it('aligns buckets to multiples of the interval', async () => {
        const series = await store.query(
          query({ aggregation: 'sum', interval_ms: 120_000 }),
        );

        expect(series[0]?.points.map((p) => p.timestamp_ms)).toEqual([
          at(0),
          at(2),
        ]);
      });

      it('includes start and excludes end', async () => {
        const series = await store.query(
          query({
            aggregation: 'count',
            start_ms: at(0) + 10_000,
            end_ms: at(2),
          }),
        );

        expect(series[0]?.points).toEqual([{ timestamp_ms: at(0), value: 2 }]);
      });

      it('returns no series for another service or metric', async () => {
        const otherService = await store.query(query({ service: 'web' }));
        const otherMetric = await store.query(query({ metric_name: 'mem' }));

        expect(otherService).toEqual([]);
        expect(otherMetric).toEqual([]);
      });
    });

    describe('query distributions', () => {
      /** Delta points count their own observations only. */
      const delta = { temporality: 'delta', start_timestamp_ms: null } as const;

      beforeEach(async () => {
        await store.write([
          histogram([1, 2, 1], 4, { ...delta, timestamp_ms: at(0) }),
          histogram([0, 5, 1], 8, {
            ...delta,
            timestamp_ms: at(0) + 30_000,
            histogram: {
              bounds: [0.1, 1],
              counts: [0, 5, 1],
              count: 6,
              sum: 8,
              min: 0.2,
              max: 2,
            },
          }),
        ]);
      });

      it.each<[Aggregation, number]>([
        ['avg', 12 / 10],
        ['sum', 12],
        ['count', 10],
        ['min', 0.01],
        ['max', 3],
      ])('computes %s of histograms from their fields', async (agg, value) => {
        const series = await store.query(
          query({ metric_name: 'http.duration', aggregation: agg }),
        );

        expect(series[0]?.points[0]?.value).toBeCloseTo(value, 12);
      });

      it('leaves histograms without a sum out of avg', async () => {
        await store.write([
          histogram([3, 0, 0], null, {
            ...delta,
            timestamp_ms: at(0) + 40_000,
          }),
        ]);

        const avg = await store.query(
          query({ metric_name: 'http.duration', aggregation: 'avg' }),
        );
        const count = await store.query(
          query({ metric_name: 'http.duration', aggregation: 'count' }),
        );

        expect(avg[0]?.points[0]?.value).toBeCloseTo(1.2, 12);
        expect(count[0]?.points[0]?.value).toBe(13);
      });

      it('aggregates delta summaries by count and sum', async () => {
        await store.write([
          gauge(
            0,
            {},
            {
              name: 'rpc.latency',
              type: 'summary',
              value: null,
              ...delta,
              summary: {
                count: 4,
                sum: 10,
                quantiles: [{ quantile: 0.5, value: 2 }],
              },
            },
          ),
        ]);

        const avg = await store.query(
          query({ metric_name: 'rpc.latency', aggregation: 'avg' }),
        );

        expect(avg[0]?.points[0]?.value).toBe(2.5);
      });
    });

    describe('query series and matchers', () => {
      beforeEach(async () => {
        await store.write([
          gauge(0.1, { host: 'host-b', zone: 'z1' }),
          gauge(0.2, { host: 'host-a', zone: 'z1' }),
          gauge(0.3, { host: 'host-a', zone: 'z2' }),
          gauge(0.4, { host: 'host-ab' }),
          gauge(0.5, { host: "x' OR '1'='1" }),
        ]);
      });

      const hostsOf = async (matchers: LabelMatcher[]) => {
        const series = await store.query(query({ matchers }));
        return series.map((s) => `${s.labels.host}/${s.labels.zone ?? ''}`);
      };

      it('returns one series per label set in a fixed order', async () => {
        const series = await store.query(query());

        expect(series.map((s) => s.labels)).toEqual([
          { host: 'host-a', zone: 'z1' },
          { host: 'host-a', zone: 'z2' },
          { host: 'host-ab' },
          { host: 'host-b', zone: 'z1' },
          { host: "x' OR '1'='1" },
        ]);
      });

      it.each<[string, LabelMatcher[], string[]]>([
        [
          '=',
          [{ label: 'host', op: '=', value: 'host-a' }],
          ['host-a/z1', 'host-a/z2'],
        ],
        [
          '!=',
          [{ label: 'zone', op: '!=', value: 'z1' }],
          ['host-a/z2', 'host-ab/', "x' OR '1'='1/"],
        ],
        [
          '=~ full match',
          [{ label: 'host', op: '=~', value: 'host-a' }],
          ['host-a/z1', 'host-a/z2'],
        ],
        [
          '=~ pattern',
          [{ label: 'host', op: '=~', value: 'host-a.*' }],
          ['host-a/z1', 'host-a/z2', 'host-ab/'],
        ],
        [
          '!~',
          [{ label: 'host', op: '!~', value: 'host-.*' }],
          ["x' OR '1'='1/"],
        ],
        [
          'missing label as empty',
          [{ label: 'zone', op: '=', value: '' }],
          ['host-ab/', "x' OR '1'='1/"],
        ],
        [
          'several matchers',
          [
            { label: 'host', op: '=', value: 'host-a' },
            { label: 'zone', op: '=~', value: 'z[2-9]' },
          ],
          ['host-a/z2'],
        ],
        [
          'quoted value literally',
          [{ label: 'host', op: '=', value: "x' OR '1'='1" }],
          ["x' OR '1'='1/"],
        ],
      ])('selects series with %s', async (_name, matchers, expected) => {
        expect(await hostsOf(matchers)).toEqual(expected);
      });

      it('rejects an invalid regex naming the matcher', async () => {
        const failing = store.query(
          query({
            matchers: [
              { label: 'host', op: '=', value: 'a' },
              { label: 'host', op: '=~', value: '(unclosed' },
            ],
          }),
        );

        await expect(failing).rejects.toBeInstanceOf(ValidationError);
        await expect(failing).rejects.toMatchObject({
          details: [{ path: 'matchers[1].value' }],
        });
      });
    });
  });
}
