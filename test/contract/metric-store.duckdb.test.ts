import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DuckDb } from '#shared/store/duckdb/database.js';
import { DuckDbMetricStore } from '#shared/store/duckdb/metric-store.js';
import {
  at,
  counter,
  gauge,
  histogram,
  metricStoreContract,
  query,
  T0,
} from './metric-store.contract.js';
import { metricAnalyticsContract } from './metric-store-analytics.contract.js';
import { metricCatalogContract } from './metric-store-catalog.contract.js';

async function openDuckDb() {
  const db = await DuckDb.open(':memory:');
  const store = new DuckDbMetricStore(db);
  await store.init();
  return { store, close: () => db.close() };
}

metricStoreContract('DuckDB', openDuckDb);
metricAnalyticsContract('DuckDB', openDuckDb);
metricCatalogContract('DuckDB', openDuckDb);

describe('DuckDbMetricStore columns', () => {
  let db: DuckDb;
  let store: DuckDbMetricStore;

  beforeEach(async () => {
    db = await DuckDb.open(':memory:');
    store = new DuckDbMetricStore(db);
    await store.init();
  });
  afterEach(() => db.close());

  /** Reads the stored row of metric `name`, with JSON as text. */
  async function rowOf(name: string) {
    const rows = await db.query(
      `SELECT *, attributes::VARCHAR AS attributes_text,
         resource::VARCHAR AS resource_text, scope::VARCHAR AS scope_text,
         bucket_counts::VARCHAR AS bucket_counts_text
       FROM metric_points WHERE name = $1`,
      [name],
    );
    expect(rows).toHaveLength(1);
    return rows[0] as Record<string, any>;
  }

  it('keeps histogram buckets whole', async () => {
    await store.write([histogram([1, 2, 3], 4.5)]);

    const row = await rowOf('http.duration');

    expect(row.bucket_counts_text).toBe('[1, 2, 3]');
    expect(row.count).toBe(6n);
    expect(row.sum).toBe(4.5);
    expect(row.min).toBe(0.01);
    expect(row.max).toBe(3);
    expect(row.temporality).toBe('cumulative');
    expect(row.start_timestamp_ms).toBe(BigInt(T0 - 60_000));
  });

  it('keeps exponential histogram fields', async () => {
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
            scale: 3,
            zero_count: 1,
            zero_threshold: 0.001,
            positive: { offset: -2, counts: [4, 0, 5] },
            negative: { offset: 1, counts: [2] },
            count: 12,
            sum: 40.25,
            min: -3,
            max: 9,
          },
        },
      ),
    ]);

    const row = await rowOf('rpc.size');

    expect(row.exp_scale).toBe(3);
    expect(row.exp_zero_count).toBe(1n);
    expect(row.exp_zero_threshold).toBe(0.001);
    expect(row.exp_positive_offset).toBe(-2);
    expect(String(row.exp_positive_counts)).toBe('[4, 0, 5]');
    expect(row.exp_negative_offset).toBe(1);
    expect(String(row.exp_negative_counts)).toBe('[2]');
    expect(row.count).toBe(12n);
    expect(row.sum).toBe(40.25);
    expect(row.temporality).toBe('delta');
  });

  it('keeps summary quantiles', async () => {
    await store.write([
      gauge(
        0,
        {},
        {
          name: 'rpc.latency',
          type: 'summary',
          value: null,
          summary: {
            count: 3,
            sum: 6,
            quantiles: [
              { quantile: 0.5, value: 1.5 },
              { quantile: 0.99, value: 4 },
            ],
          },
        },
      ),
    ]);

    const row = await rowOf('rpc.latency');

    expect(String(row.quantiles)).toBe('[0.5, 0.99]');
    expect(String(row.quantile_values)).toBe('[1.5, 4]');
  });

  it('keeps typed attributes with exact 64-bit integers', async () => {
    await store.write([
      gauge(
        1,
        { big: '9007199254740993' },
        {
          name: 'typed',
          attributes: {
            big: { intValue: '9007199254740993' },
            ratio: { doubleValue: 0.25 },
            ok: { boolValue: true },
          },
          resource: {
            'service.name': { stringValue: 'api' },
            'host.cpus': { intValue: '-12' },
          },
          scope: { name: 'meter', version: '1.2.0', attributes: {} },
        },
      ),
    ]);

    const row = await rowOf('typed');

    expect(JSON.parse(row.attributes_text)).toEqual({
      big: { intValue: '9007199254740993' },
      ratio: { doubleValue: 0.25 },
      ok: { boolValue: true },
    });
    expect(row.attributes_text).toContain('"9007199254740993"');
    expect(JSON.parse(row.resource_text)['host.cpus']).toEqual({
      intValue: '-12',
    });
    expect(JSON.parse(row.scope_text)).toEqual({
      name: 'meter',
      version: '1.2.0',
      attributes: {},
    });
  });

  it('stores a restarted counter under each start time', async () => {
    for (const offset of [0, 600_000, 1_200_000]) {
      await store.write([counter(1, T0 + offset, T0 + offset + 1_000)]);
    }

    const rows = await db.query<{ start_timestamp_ms: bigint; value: number }>(
      `SELECT start_timestamp_ms, value, monotonic FROM metric_points
       WHERE name = 'job.runs' ORDER BY start_timestamp_ms`,
    );

    expect(rows.map((r) => r.start_timestamp_ms)).toEqual([
      BigInt(T0),
      BigInt(T0 + 600_000),
      BigInt(T0 + 1_200_000),
    ]);
    expect(rows.map((r) => r.value)).toEqual([1, 1, 1]);
  });

  it('stores a repeated point once', async () => {
    await store.write([gauge(0.5, { host: 'a' })]);
    await store.write([gauge(0.5, { host: 'a' })]);

    const rows = await db.query('SELECT count(*) AS n FROM metric_points');

    expect(rows[0]?.n).toBe(1n);
  });

  it('scans a gauge once for avg', async () => {
    await store.write([
      gauge(1, { host: 'a' }, { timestamp_ms: at(1) }),
      gauge(3, { host: 'a' }, { timestamp_ms: at(2) }),
    ]);
    const reads = vi.spyOn(db, 'query');

    const series = await store.query(query({ aggregation: 'avg' }));

    expect(reads).toHaveBeenCalledTimes(1);
    expect(series[0]?.points.map((p) => p.value)).toEqual([1, 3]);
  });

  it('reads histogram points when there are some', async () => {
    await store.write([
      histogram([1, 1, 0], 0.5, {
        timestamp_ms: at(1),
        start_timestamp_ms: at(0),
      }),
    ]);
    const reads = vi.spyOn(db, 'query');

    const series = await store.query(
      query({ metric_name: 'http.duration', aggregation: 'count' }),
    );

    expect(reads).toHaveBeenCalledTimes(2);
    expect(series[0]?.points.map((p) => p.value)).toEqual([2]);
  });
});

describe('DuckDbMetricStore read cap', () => {
  let db: DuckDb;
  let store: DuckDbMetricStore;

  beforeEach(async () => {
    db = await DuckDb.open(':memory:');
    store = new DuckDbMetricStore(db, 2);
    await store.init();
  });
  afterEach(() => db.close());

  const hour = {
    service: 'api',
    matchers: [],
    start_ms: T0,
    end_ms: T0 + 3_600_000,
    interval_ms: 3_600_000,
  };

  it('rejects an increase that reads past the cap', async () => {
    await store.write([1, 2, 3].map((n) => counter(n, T0, T0 + n * 1_000)));

    const failing = store.query({
      ...hour,
      metric_name: 'job.runs',
      aggregation: 'increase',
    });

    await expect(failing).rejects.toThrow(/more than 2 stored points/);
    await expect(failing).rejects.toMatchObject({
      details: [{ path: 'matchers' }],
    });
  });

  it('reads up to the cap', async () => {
    await store.write([1, 2].map((n) => counter(n, T0, T0 + n * 1_000)));

    const series = await store.query({
      ...hour,
      metric_name: 'job.runs',
      aggregation: 'increase',
    });

    expect(series[0]?.points[0]?.value).toBe(2);
  });

  it('rejects histogram statistics that read past the cap', async () => {
    await store.write(
      [0, 1, 2].map((n) =>
        histogram([1, 0, 0], 0.05, { timestamp_ms: T0 + n }),
      ),
    );

    const failing = store.statistics({
      service: 'api',
      metric_name: 'http.duration',
      start_ms: T0,
      end_ms: T0 + 3_600_000,
    });

    await expect(failing).rejects.toThrow(/more than 2 stored points/);
  });
});
