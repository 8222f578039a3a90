import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MetricStatisticsQuery } from '#shared/model/metric.js';
import type { MetricStore } from '#shared/store/ports.js';
import {
  at,
  counter,
  gauge,
  histogram,
  latencySummary,
  type MetricStoreHandle,
  T0,
} from './metric-store.contract.js';

function statisticsQuery(
  overrides: Partial<MetricStatisticsQuery> = {},
): MetricStatisticsQuery {
  return {
    service: 'api',
    metric_name: 'cpu.util',
    start_ms: T0,
    end_ms: T0 + 3_600_000,
    ...overrides,
  };
}

/**
 * Statistics of one metric and the list of a service's metrics, as every
 * {@link MetricStore} adapter must return them.
 */
export function metricCatalogContract(
  adapter: string,
  open: () => Promise<MetricStoreHandle>,
): void {
  describe(`MetricStore catalog contract: ${adapter}`, () => {
    let handle: MetricStoreHandle;
    let store: MetricStore;

    beforeEach(async () => {
      handle = await open();
      store = handle.store;
    });

    afterEach(async () => {
      await handle.close();
    });

    describe('statistics', () => {
      it('describes raw values with population stddev', async () => {
        const numbers = [2, 4, 4, 4, 5, 5, 7, 9];
        await store.write(
          numbers.map((value, i) =>
            gauge(value, { host: i % 2 ? 'a' : 'b' }, { timestamp_ms: at(i) }),
          ),
        );

        const stats = await store.statistics(statisticsQuery());

        expect(stats).toMatchObject({
          type: 'gauge',
          unit: '1',
          count: 8,
          min: 2,
          max: 9,
          mean: 5,
          stddev: 2,
          p50: 4.5,
        });
        expect(stats?.p95).toBeCloseTo(8.3, 12);
        expect(stats?.p99).toBeCloseTo(8.86, 12);
        expect(stats?.note).toBeUndefined();
      });

      it('gives one value a stddev of 0', async () => {
        await store.write([gauge(3.5, { host: 'a' })]);

        const stats = await store.statistics(statisticsQuery());

        expect(stats).toMatchObject({ count: 1, stddev: 0, p50: 3.5 });
      });

      it('describes delta histograms from their buckets', async () => {
        const delta = {
          temporality: 'delta',
          start_timestamp_ms: null,
        } as const;
        await store.write([
          histogram([1, 2, 1], 4, { ...delta, timestamp_ms: at(0) }),
          histogram([0, 5, 1], 8, {
            ...delta,
            timestamp_ms: at(1),
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

        const stats = await store.statistics(
          statisticsQuery({ metric_name: 'http.duration' }),
        );

        expect(stats).toMatchObject({
          type: 'histogram',
          unit: 's',
          count: 10,
          min: 0.01,
          max: 3,
          stddev: null,
        });
        expect(stats?.mean).toBeCloseTo(1.2, 12);
        // Counts [1, 7, 2] over [0.01, 0.1], (0.1, 1], (1, 3].
        expect(stats?.p50).toBeCloseTo(0.1 + 0.9 * (4 / 7), 12);
        expect(stats?.p95).toBeCloseTo(2.5, 12);
        expect(stats?.p99).toBeCloseTo(2.9, 12);
        expect(stats?.note).toContain('stddev');
      });

      it.each<[string, number, number, number]>([
        ['inside the range', T0, 6, 7.05 / 6],
        ['before the range', T0 - 60_000, 5, 7 / 5],
      ])(
        'counts a cumulative series once when it starts %s',
        async (_case, start, count, mean) => {
          const cumulative = (
            counts: [number, number, number],
            sum: number,
            seconds: number,
          ) =>
            histogram(counts, sum, {
              start_timestamp_ms: start,
              timestamp_ms: at(0) + seconds * 1_000,
            });
          await store.write([
            cumulative([1, 0, 0], 0.05, 0),
            cumulative([1, 2, 0], 1.05, 2),
            cumulative([1, 2, 3], 7.05, 4),
          ]);

          const stats = await store.statistics(
            statisticsQuery({ metric_name: 'http.duration' }),
          );

          expect(stats).toMatchObject({ count, min: null, max: null });
          expect(stats?.mean).toBeCloseTo(mean, 12);
        },
      );

      it.each<[string, number, number, number]>([
        ['inside the range', T0, 20, 45],
        ['before the range', T0 - 60_000, 10, 25],
      ])(
        'counts a cumulative summary once when it starts %s',
        async (_case, start, count, sum) => {
          const started = { start_timestamp_ms: start };
          await store.write([
            latencySummary(10, 20, at(0), started),
            latencySummary(14, 30, at(1), started),
            latencySummary(20, 45, at(2), started),
          ]);

          const stats = await store.statistics(
            statisticsQuery({ metric_name: 'rpc.latency' }),
          );

          expect(stats).toMatchObject({
            type: 'summary',
            count,
            min: null,
            max: null,
            stddev: null,
          });
          expect(stats?.mean).toBeCloseTo(sum / count, 12);
          // Every reading's p50 counts, also one that adds no observations.
          expect(stats?.p50).toBeCloseTo((20 / 10 + 30 / 14 + 45 / 20) / 3, 12);
        },
      );

      it('describes delta summaries by their quantiles', async () => {
        await store.write([
          gauge(
            0,
            {},
            {
              name: 'rpc.latency',
              type: 'summary',
              unit: 'ms',
              value: null,
              temporality: 'delta',
              summary: {
                count: 4,
                sum: 10,
                quantiles: [{ quantile: 0.5, value: 2 }],
              },
            },
          ),
        ]);

        const stats = await store.statistics(
          statisticsQuery({ metric_name: 'rpc.latency' }),
        );

        expect(stats).toMatchObject({
          type: 'summary',
          unit: 'ms',
          count: 4,
          mean: 2.5,
          min: null,
          max: null,
          stddev: null,
          p50: 2,
          p95: null,
          p99: null,
        });
        expect(stats?.note).toContain('quantiles');
      });

      it('reports the type and unit of the latest point', async () => {
        const later = { ...counter(9, T0, at(2)), name: 'cpu.util' };
        await store.write([
          gauge(1, { host: 'a' }, { timestamp_ms: at(0), unit: 'ms' }),
          { ...later, unit: 'By' },
        ]);

        const stats = await store.statistics(statisticsQuery());

        expect(stats).toMatchObject({
          type: 'counter',
          unit: 'By',
          count: 1,
          min: 9,
        });
      });

      it('returns null without points in the range', async () => {
        await store.write([gauge(1, { host: 'a' }, { timestamp_ms: at(10) })]);

        const before = await store.statistics(
          statisticsQuery({ end_ms: at(10) }),
        );
        const other = await store.statistics(
          statisticsQuery({ metric_name: 'mem' }),
        );
        const inside = await store.statistics(
          statisticsQuery({ start_ms: at(10), end_ms: at(10) + 1 }),
        );

        expect(before).toBeNull();
        expect(other).toBeNull();
        expect(inside?.count).toBe(1);
      });
    });

    describe('listMetrics', () => {
      beforeEach(async () => {
        await store.write([
          gauge(1, { host: 'a' }, { timestamp_ms: at(0) }),
          gauge(2, { host: 'b', zone: 'z1' }, { timestamp_ms: at(5) }),
          histogram([1, 0, 0], 0.05, { timestamp_ms: at(3) }),
          counter(1, T0, at(7)),
          gauge(1, {}, { name: 'uptime', unit: 's', timestamp_ms: at(2) }),
          gauge(1, { host: 'x' }, { service: 'web', name: 'mem' }),
        ]);
      });

      it('lists names with type, unit, label keys and last seen', async () => {
        const metrics = await store.listMetrics({ service: 'api', limit: 10 });

        expect(metrics).toEqual([
          {
            name: 'cpu.util',
            type: 'gauge',
            unit: '1',
            label_keys: ['host', 'zone'],
            last_seen_ms: at(5),
          },
          {
            name: 'http.duration',
            type: 'histogram',
            unit: 's',
            label_keys: ['route'],
            last_seen_ms: at(3),
          },
          {
            name: 'job.runs',
            type: 'counter',
            unit: '1',
            label_keys: ['job'],
            last_seen_ms: at(7),
          },
          {
            name: 'uptime',
            type: 'gauge',
            unit: 's',
            label_keys: [],
            last_seen_ms: at(2),
          },
        ]);
      });

      it('continues after a name and stops at the limit', async () => {
        const metrics = await store.listMetrics({
          service: 'api',
          after: 'cpu.util',
          limit: 2,
        });

        expect(metrics.map((m) => m.name)).toEqual([
          'http.duration',
          'job.runs',
        ]);
      });

      it('returns nothing for an unknown service', async () => {
        expect(await store.listMetrics({ service: 'nope', limit: 10 })).toEqual(
          [],
        );
      });
    });
  });
}
