import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '#shared/errors.js';
import type {
  Aggregation,
  MetricPoint,
  MetricQuery,
} from '#shared/model/metric.js';
import type { MetricStore } from '#shared/store/ports.js';
import {
  at,
  counter,
  gauge,
  histogram,
  latencySummary,
  type MetricStoreHandle,
  query,
  T0,
} from './metric-store.contract.js';

const HOUR = 3_600_000;
const SUMMARY_NAME = 'rpc.latency';

/** Builds a `job.runs` counter point with the given labels and fields. */
function run(
  value: number,
  labels: Record<string, string>,
  timestampMs: number,
  overrides: Partial<MetricPoint> = {},
): MetricPoint {
  return {
    ...counter(value, T0 - 60_000, timestampMs),
    labels,
    ...overrides,
  };
}

/** Builds a `rpc.latency` summary point with the given quantiles. */
function summary(
  quantiles: { quantile: number; value: number }[],
  timestampMs = at(0),
): MetricPoint {
  return gauge(
    0,
    {},
    {
      name: SUMMARY_NAME,
      type: 'summary',
      value: null,
      timestamp_ms: timestampMs,
      summary: { count: 10, sum: 20, quantiles },
    },
  );
}

/** Fields of a delta histogram point `ms` after minute `minute`. */
function delta(minute: number, ms = 0): Partial<MetricPoint> {
  return {
    temporality: 'delta',
    start_timestamp_ms: null,
    timestamp_ms: at(minute) + ms,
  };
}

/** `cpu.util` gauges of host `a`, one second apart from minute 0. */
const values = (...numbers: number[]) =>
  numbers.map((value, i) =>
    gauge(value, { host: 'a' }, { timestamp_ms: at(0) + i * 1_000 }),
  );

/**
 * Increase, rate, percentiles and `group_by`, as every
 * {@link MetricStore} adapter must compute them.
 */
export function metricAnalyticsContract(
  adapter: string,
  open: () => Promise<MetricStoreHandle>,
): void {
  describe(`MetricStore analytics contract: ${adapter}`, () => {
    let handle: MetricStoreHandle;
    let store: MetricStore;

    beforeEach(async () => {
      handle = await open();
      store = handle.store;
    });

    afterEach(async () => {
      await handle.close();
    });

    /** Queries `job.runs` over the hour from T0. */
    const runs = (overrides: Partial<MetricQuery> = {}) =>
      store.query(query({ metric_name: 'job.runs', ...overrides }));

    describe('increase and rate', () => {
      it('counts three short runs of a job as an increase of 3', async () => {
        for (const offset of [0, 600_000, 1_200_000]) {
          await store.write([counter(1, T0 + offset, T0 + offset + 5_000)]);
        }
        const range = { end_ms: T0 + 1_800_000, interval_ms: 1_800_000 };

        const increase = await runs({ ...range, aggregation: 'increase' });
        const rate = await runs({ ...range, aggregation: 'rate' });

        expect(increase).toEqual([
          {
            labels: { job: 'nightly' },
            points: [{ timestamp_ms: T0, value: 3 }],
          },
        ]);
        expect(rate[0]?.points[0]?.value).toBeCloseTo(3 / 1_800, 15);
      });

      it('treats a drop with the same start time as a reset', async () => {
        const start = T0 - 60_000;
        await store.write([
          counter(5, start, at(1)),
          counter(7, start, at(2)),
          counter(2, start, at(3)),
          counter(4, start, at(4)),
        ]);

        const perMinute = await runs({ aggregation: 'increase' });
        const hour = await runs({ aggregation: 'increase', interval_ms: HOUR });

        expect(perMinute[0]?.points).toEqual([
          { timestamp_ms: at(1), value: 0 },
          { timestamp_ms: at(2), value: 2 },
          { timestamp_ms: at(3), value: 2 },
          { timestamp_ms: at(4), value: 2 },
        ]);
        expect(hour[0]?.points).toEqual([{ timestamp_ms: T0, value: 6 }]);
      });

      it('counts the first value of a series started in range', async () => {
        const start = T0 + 30_000;
        await store.write([counter(5, start, at(1)), counter(7, start, at(2))]);

        const hour = await runs({ aggregation: 'increase', interval_ms: HOUR });

        expect(hour[0]?.points).toEqual([{ timestamp_ms: T0, value: 7 }]);
      });

      it('puts the change between buckets in the later bucket', async () => {
        const start = T0 - 60_000;
        await store.write([
          counter(10, start, at(0) + 50_000),
          counter(16, start, at(1) + 10_000),
        ]);

        const increase = await runs({ aggregation: 'increase' });

        expect(increase[0]?.points).toEqual([
          { timestamp_ms: at(0), value: 0 },
          { timestamp_ms: at(1), value: 6 },
        ]);
      });

      it('sums delta points and divides by the interval for rate', async () => {
        await store.write([
          run(2, { job: 'nightly' }, at(1), { temporality: 'delta' }),
          run(3, { job: 'nightly' }, at(2), { temporality: 'delta' }),
        ]);

        const increase = await runs({ aggregation: 'increase' });
        const rate = await runs({ aggregation: 'rate' });

        expect(increase[0]?.points.map((p) => p.value)).toEqual([2, 3]);
        expect(rate[0]?.points.map((p) => p.value)).toEqual([2 / 60, 3 / 60]);
      });

      it('sums a non-monotonic delta sum, down as well as up', async () => {
        const change = (value: number, minute: number) =>
          gauge(
            value,
            {},
            {
              name: 'queue.change',
              temporality: 'delta',
              monotonic: false,
              timestamp_ms: at(minute),
            },
          );
        await store.write([change(-2, 1), change(5, 2)]);

        const increase = await store.query(
          query({
            metric_name: 'queue.change',
            aggregation: 'increase',
            interval_ms: HOUR,
          }),
        );

        expect(increase[0]?.points).toEqual([{ timestamp_ms: T0, value: 3 }]);
      });

      it('increases histograms by their count', async () => {
        await store.write([
          histogram([1, 2, 1], 4, { timestamp_ms: at(0) }),
          histogram([2, 5, 3], 12, { timestamp_ms: at(1) }),
        ]);

        const increase = await store.query(
          query({
            metric_name: 'http.duration',
            aggregation: 'increase',
            interval_ms: HOUR,
          }),
        );

        expect(increase[0]?.points).toEqual([{ timestamp_ms: T0, value: 6 }]);
      });

      it.each<Aggregation>(['rate', 'increase'])(
        'rejects %s of a gauge naming aggregation',
        async (aggregation) => {
          await store.write([gauge(0.5, { host: 'a' })]);

          const failing = store.query(query({ aggregation }));

          await expect(failing).rejects.toBeInstanceOf(ValidationError);
          await expect(failing).rejects.toMatchObject({
            details: [{ path: 'aggregation' }],
          });
        },
      );

      it('adds up increases of the series in a group', async () => {
        await store.write([
          run(1, { job: 'a', zone: 'z1' }, at(1)),
          run(4, { job: 'a', zone: 'z1' }, at(2)),
          run(2, { job: 'b', zone: 'z1' }, at(1)),
          run(7, { job: 'b', zone: 'z1' }, at(2)),
          run(5, { job: 'c', zone: 'z2' }, at(1)),
          run(6, { job: 'c', zone: 'z2' }, at(2)),
        ]);

        const increase = await runs({
          aggregation: 'increase',
          interval_ms: HOUR,
          group_by: ['zone'],
        });

        expect(increase).toEqual([
          { labels: { zone: 'z1' }, points: [{ timestamp_ms: T0, value: 8 }] },
          { labels: { zone: 'z2' }, points: [{ timestamp_ms: T0, value: 1 }] },
        ]);
      });
    });

    describe('sum, count and avg of cumulative distributions', () => {
      /** Per bucket sum, count and avg of the one series of `metric`. */
      const totalsOf = async (
        metric: string,
        overrides: Partial<MetricQuery> = {},
      ) => {
        const values = async (aggregation: Aggregation) => {
          const series = await store.query(
            query({ metric_name: metric, aggregation, ...overrides }),
          );
          expect(series).toHaveLength(1);
          return series[0]?.points.map((p) => p.value);
        };
        return {
          sum: await values('sum'),
          count: await values('count'),
          avg: await values('avg'),
        };
      };

      it.each<[string, number, number, number]>([
        ['before the range', T0 - 60_000, 10, 25],
        ['inside the range', T0, 20, 45],
      ])(
        'counts what summary readings add when begun %s',
        async (_case, start, count, sum) => {
          const started = { start_timestamp_ms: start };
          await store.write([
            latencySummary(10, 20, at(0), started),
            latencySummary(14, 30, at(0) + 20_000, started),
            latencySummary(20, 45, at(0) + 40_000, started),
          ]);

          const totals = await totalsOf('rpc.latency');

          expect(totals).toEqual({
            sum: [sum],
            count: [count],
            avg: [sum / count],
          });
        },
      );

      it.each<[string, Partial<MetricPoint>]>([
        ['a drop', {}],
        ['a new start time', { start_timestamp_ms: at(0) + 25_000 }],
      ])('counts a summary reading whole after %s', async (_case, reset) => {
        await store.write([
          latencySummary(10, 20, at(0)),
          latencySummary(14, 30, at(0) + 20_000),
          latencySummary(3, 6, at(0) + 30_000, reset),
          latencySummary(5, 11, at(0) + 40_000, reset),
        ]);

        const totals = await totalsOf('rpc.latency');

        // Adds 0 (begun before the range), 4 and 10, 3 and 6, 2 and 5.
        expect(totals).toEqual({ sum: [21], count: [9], avg: [21 / 9] });
      });

      it('puts what a summary reading adds in its bucket', async () => {
        await store.write([
          latencySummary(10, 20, at(0) + 50_000),
          latencySummary(14, 30, at(1) + 10_000),
          latencySummary(20, 45, at(2) + 10_000),
        ]);

        const totals = await totalsOf('rpc.latency');

        expect(totals).toEqual({
          sum: [0, 10, 15],
          count: [0, 4, 6],
          avg: [null, 2.5, 2.5],
        });
      });

      it('adds the increases of two summary series', async () => {
        const podB = { labels: { pod: 'b' } };
        await store.write([
          latencySummary(10, 20, at(0)),
          latencySummary(14, 30, at(0) + 30_000),
          latencySummary(100, 50, at(0), podB),
          latencySummary(103, 62, at(0) + 30_000, podB),
        ]);

        const totals = await totalsOf('rpc.latency', { group_by: [] });

        expect(totals).toEqual({ sum: [22], count: [7], avg: [22 / 7] });
      });

      it('adds delta summaries whole', async () => {
        const delta: Partial<MetricPoint> = {
          temporality: 'delta',
          start_timestamp_ms: null,
        };
        await store.write([
          latencySummary(4, 10, at(0), delta),
          latencySummary(6, 20, at(0) + 30_000, delta),
        ]);

        const totals = await totalsOf('rpc.latency');

        expect(totals).toEqual({ sum: [30], count: [10], avg: [3] });
      });

      it('counts what cumulative histogram readings add', async () => {
        await store.write([
          histogram([1, 0, 0], 0.05, { timestamp_ms: at(0) }),
          histogram([1, 2, 0], 1.05, { timestamp_ms: at(0) + 20_000 }),
          histogram([1, 2, 3], 7.05, { timestamp_ms: at(0) + 40_000 }),
        ]);

        const totals = await totalsOf('http.duration');

        // Begun before the range: adds 0, then [0, 2, 0], then [0, 0, 3].
        expect(totals).toEqual({
          sum: [expect.closeTo(7, 12)],
          count: [5],
          avg: [expect.closeTo(7 / 5, 12)],
        });
      });

      it('adds raw values and summaries in one bucket', async () => {
        await store.write([
          latencySummary(10, 20, at(0)),
          latencySummary(14, 30, at(0) + 20_000),
          gauge(
            7,
            { pod: 'a' },
            { name: 'rpc.latency', unit: 'ms', timestamp_ms: at(0) + 40_000 },
          ),
        ]);

        const totals = await totalsOf('rpc.latency');

        expect(totals).toEqual({ sum: [17], count: [5], avg: [17 / 5] });
      });
    });

    describe('percentiles of raw values', () => {
      const percentileOf = async (aggregation: Aggregation) => {
        const series = await store.query(query({ aggregation }));
        return series[0]?.points[0]?.value;
      };

      it('moves only the top ranks for one outlier', async () => {
        await store.write(values(1, 1, 1, 1, 1, 1, 1, 1, 1, 1000));

        expect(await percentileOf('p50')).toBe(1);
        expect(await percentileOf('p90')).toBeCloseTo(100.9, 9);
        expect(await percentileOf('p99')).toBeCloseTo(910.09, 9);
      });

      it.each<[Aggregation, number]>([
        ['p50', 42],
        ['p90', 42],
        ['p99', 42],
      ])('returns the one sample for %s', async (aggregation, expected) => {
        await store.write(values(42));

        expect(await percentileOf(aggregation)).toBe(expected);
      });

      it.each<[Aggregation, number]>([
        ['p50', 15],
        ['p90', 19],
        ['p95', 19.5],
        ['p99', 19.9],
      ])('interpolates two samples for %s', async (aggregation, expected) => {
        await store.write(values(20, 10));

        expect(await percentileOf(aggregation)).toBeCloseTo(expected, 12);
      });

      it('returns equal values exactly', async () => {
        await store.write(values(7.3, 7.3, 7.3, 7.3));

        expect(await percentileOf('p50')).toBe(7.3);
        expect(await percentileOf('p99')).toBe(7.3);
      });

      it('returns no series for an empty range', async () => {
        await store.write(values(1, 2, 3));

        const series = await store.query(
          query({ aggregation: 'p50', start_ms: at(30), end_ms: at(40) }),
        );

        expect(series).toEqual([]);
      });
    });

    describe('percentiles of distributions', () => {
      const duration = (aggregation: Aggregation) =>
        store.query(query({ metric_name: 'http.duration', aggregation }));

      it.each<[Aggregation, number]>([
        ['p50', 0.55],
        ['p90', 2.2],
        ['p99', 2.92],
      ])('interpolates a histogram for %s', async (aggregation, expected) => {
        await store.write([histogram([1, 2, 1], 4, delta(0))]);

        const series = await duration(aggregation);

        expect(series[0]?.points[0]?.value).toBeCloseTo(expected, 12);
      });

      it('sums the bucket counts of delta points in one bucket', async () => {
        await store.write([
          histogram([1, 2, 1], 4, delta(0)),
          histogram([0, 5, 1], 8, delta(0, 30_000)),
        ]);

        const series = await duration('p50');

        // Counts [1, 7, 2]: rank 5 lies 4/7 into (0.1, 1].
        expect(series[0]?.points[0]?.value).toBeCloseTo(
          0.1 + 0.9 * (4 / 7),
          12,
        );
      });

      it('uses 0 and the last bound when min and max are unknown', async () => {
        const bare = (counts: [number, number, number], minute: number) =>
          histogram(counts, 1, {
            ...delta(minute),
            histogram: {
              bounds: [0.1, 1],
              counts,
              count: counts[0] + counts[1] + counts[2],
              sum: 1,
              min: null,
              max: null,
            },
          });
        await store.write([bare([2, 2, 0], 0), bare([0, 0, 2], 1)]);

        const p50 = await duration('p50');

        // Minute 0: rank 2 ends bucket [0, 0.1]. Minute 1: all overflow.
        expect(p50[0]?.points).toEqual([
          { timestamp_ms: at(0), value: 0.1 },
          { timestamp_ms: at(1), value: 1 },
        ]);
      });

      it('counts the observations of a cumulative series once', async () => {
        // Begun inside the range; every point repeats the earlier ones.
        const started = { start_timestamp_ms: T0 };
        await store.write([
          histogram([1, 0, 0], 1, { ...started, timestamp_ms: at(0) }),
          histogram([1, 2, 0], 2, {
            ...started,
            timestamp_ms: at(0) + 30_000,
          }),
          histogram([1, 5, 0], 9, { ...started, timestamp_ms: at(1) }),
        ]);

        const p50 = await duration('p50');

        // Minute 0 holds [1, 2, 0]: rank 1.5 lies 1/4 into (0.1, 1].
        // Minute 1 adds [0, 3, 0]: rank 1.5 lies halfway into (0.1, 1].
        expect(p50[0]?.points.map((p) => p.value)).toEqual([
          expect.closeTo(0.1 + 0.9 * 0.25, 12),
          expect.closeTo(0.55, 12),
        ]);
      });

      it('interpolates an exponential histogram', async () => {
        await store.write([
          gauge(
            0,
            {},
            {
              name: 'rpc.size',
              type: 'histogram',
              value: null,
              temporality: 'delta',
              exponential_histogram: {
                scale: 0,
                zero_count: 0,
                zero_threshold: 0,
                positive: { offset: 0, counts: [2, 2] },
                negative: { offset: 0, counts: [] },
                count: 4,
                sum: 10,
                min: null,
                max: null,
              },
            },
          ),
        ]);

        const p50 = await store.query(
          query({ metric_name: 'rpc.size', aggregation: 'p50' }),
        );
        const p90 = await store.query(
          query({ metric_name: 'rpc.size', aggregation: 'p90' }),
        );

        // Buckets (1, 2] and (2, 4], two values each.
        expect(p50[0]?.points[0]?.value).toBe(2);
        expect(p90[0]?.points[0]?.value).toBeCloseTo(3.6, 12);
      });

      it('takes the matching quantile of summaries, else null', async () => {
        await store.write([
          summary([
            { quantile: 0.5, value: 2 },
            { quantile: 0.99, value: 9 },
          ]),
          summary([{ quantile: 0.5, value: 4 }], at(0) + 10_000),
        ]);
        const of = async (aggregation: Aggregation) => {
          const series = await store.query(
            query({ metric_name: SUMMARY_NAME, aggregation }),
          );
          return series[0]?.points[0];
        };

        expect((await of('p50'))?.value).toBe(3);
        expect((await of('p99'))?.value).toBe(9);
        expect(await of('p90')).toEqual({ timestamp_ms: at(0), value: null });
      });
    });

    describe('group_by', () => {
      beforeEach(async () => {
        await store.write([
          gauge(1, { host: 'a', zone: 'z1' }),
          gauge(3, { host: 'b', zone: 'z1' }),
          gauge(5, { host: 'c', zone: 'z2' }),
          gauge(7, { host: 'd' }),
        ]);
      });

      const grouped = async (aggregation: Aggregation, group_by: string[]) => {
        const series = await store.query(query({ aggregation, group_by }));
        return series.map((s) => [s.labels, s.points[0]?.value]);
      };

      it('aggregates series that share the label values', async () => {
        expect(await grouped('avg', ['zone'])).toEqual([
          [{}, 7],
          [{ zone: 'z1' }, 2],
          [{ zone: 'z2' }, 5],
        ]);
      });

      it('aggregates every series into one for no labels', async () => {
        expect(await grouped('sum', [])).toEqual([[{}, 16]]);
      });

      it('takes percentiles across the series of a group', async () => {
        expect(await grouped('p50', ['zone'])).toEqual([
          [{}, 7],
          [{ zone: 'z1' }, 2],
          [{ zone: 'z2' }, 5],
        ]);
      });

      it('keeps only the grouped labels', async () => {
        expect(await grouped('count', ['host', 'zone'])).toEqual([
          [{ host: 'a', zone: 'z1' }, 1],
          [{ host: 'b', zone: 'z1' }, 1],
          [{ host: 'c', zone: 'z2' }, 1],
          [{ host: 'd' }, 1],
        ]);
      });
    });
  });
}
