import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDb } from '#shared/store/duckdb/database.js';
import { DuckDbMetricStore } from '#shared/store/duckdb/metric-store.js';
import { counter, gauge, histogram, T0 } from './metric-store.contract.js';

describe('DuckDbMetricStore write outcomes', () => {
  let db: DuckDb;
  let store: DuckDbMetricStore;

  beforeEach(async () => {
    db = await DuckDb.open(':memory:');
    store = new DuckDbMetricStore(db);
    await store.init();
  });
  afterEach(() => db.close());

  async function storedValues(): Promise<Record<string, number>> {
    const rows = await db.query<{ host: string; value: number }>(
      `SELECT labels['host'] AS host, value FROM metric_points
       ORDER BY host`,
    );
    return Object.fromEntries(rows.map((r) => [r.host, r.value]));
  }

  it('reports stored and batch conflicts in batch order', async () => {
    await store.write([gauge(0.5, { host: 'a' })]);

    const result = await store.write([
      gauge(0.7, { host: 'a' }),
      gauge(1, { host: 'b' }),
      gauge(2, { host: 'b' }),
    ]);

    expect(result.written).toBe(1);
    expect(result.rejected.map((r) => r.index)).toEqual([0, 2]);
    expect(result.rejected[0]?.reason).toContain('a stored point');
    expect(result.rejected[1]?.reason).toContain('point 1 of this batch');
  });

  it('counts a repeat of a rejected point as a duplicate', async () => {
    await store.write([gauge(0.5, { host: 'a' })]);

    const result = await store.write([
      gauge(0.7, { host: 'a' }),
      gauge(0.7, { host: 'a' }),
    ]);

    expect(result.written).toBe(0);
    expect(result.duplicates).toBe(1);
    expect(result.rejected.map((r) => r.index)).toEqual([0]);
    expect(await storedValues()).toEqual({ a: 0.5 });
  });

  it('counts a point once when its measurement is stored twice', async () => {
    await store.write([gauge(0.5, { host: 'a' })]);
    await db.exec('INSERT INTO metric_points SELECT * FROM metric_points');

    const result = await store.write([gauge(0.5, { host: 'a' })]);

    expect(result).toEqual({ written: 0, duplicates: 1, rejected: [] });
  });

  it('stores the new points beside stored ones', async () => {
    await store.write([gauge(0.5, { host: 'a' }), gauge(0.6, { host: 'c' })]);

    const result = await store.write([
      gauge(0.5, { host: 'a' }),
      gauge(0.1, { host: 'b' }),
      gauge(0.9, { host: 'c' }),
      gauge(0.2, { host: 'd' }),
    ]);

    expect(result.written).toBe(2);
    expect(result.duplicates).toBe(1);
    expect(result.rejected.map((r) => r.index)).toEqual([2]);
    expect(await storedValues()).toEqual({ a: 0.5, b: 0.1, c: 0.6, d: 0.2 });
  });

  it('finds a stored point of any service in the batch', async () => {
    await store.write([gauge(0.5, { host: 'a' })]);

    const result = await store.write([
      gauge(0.5, { host: 'a' }, { service: 'web' }),
      gauge(0.5, { host: 'a' }),
      gauge(0.7, { host: 'a' }, { timestamp_ms: T0 + 1 }),
    ]);
    const rows = await db.query('SELECT count(*) AS n FROM metric_points');

    expect(result).toEqual({ written: 2, duplicates: 1, rejected: [] });
    expect(rows[0]?.n).toBe(3n);
  });

  it('writes a batch after one that failed', async () => {
    const broken = gauge(1, { host: 'x' }, { timestamp_ms: T0 + 0.5 });
    await expect(
      store.write([gauge(1, { host: 'a' }), broken]),
    ).rejects.toThrow();

    const result = await store.write([gauge(2, { host: 'b' })]);

    expect(result).toEqual({ written: 1, duplicates: 0, rejected: [] });
    expect(await storedValues()).toEqual({ b: 2 });
  });

  it('stores a batch over several data chunks', async () => {
    const points = Array.from({ length: 5_000 }, (_, i) =>
      gauge(i, { host: `h${i}` }),
    );
    const repeat = gauge(4_999, { host: 'h4999' });

    const result = await store.write([...points, repeat]);
    const rows = await db.query<{ n: bigint; total: number }>(
      'SELECT count(*) AS n, sum(value) AS total FROM metric_points',
    );

    expect(result).toEqual({ written: 5_000, duplicates: 1, rejected: [] });
    expect(rows[0]).toEqual({ n: 5_000n, total: (4_999 * 5_000) / 2 });
  });

  it('stores the resource and scope of each point', async () => {
    const shared = { 'service.name': { stringValue: 'api' } };
    const scope = { name: 'meter', version: '1.0.0', attributes: {} };
    const other = { 'service.name': { stringValue: 'api' }, zone: {} };

    await store.write([
      gauge(1, { host: 'a' }, { resource: shared, scope }),
      gauge(2, { host: 'b' }, { resource: other, scope }),
      gauge(3, { host: 'c' }, { resource: shared, scope: null }),
      gauge(4, { host: 'd' }, { resource: { ...shared }, scope }),
    ]);
    const rows = await db.query<{ resource: string; scope: string | null }>(
      `SELECT resource::VARCHAR AS resource, scope::VARCHAR AS scope
       FROM metric_points ORDER BY value`,
    );

    expect(rows.map((r) => JSON.parse(r.resource))).toEqual([
      shared,
      other,
      shared,
      shared,
    ]);
    expect(rows.map((r) => r.scope && JSON.parse(r.scope))).toEqual([
      scope,
      scope,
      null,
      scope,
    ]);
  });

  it('stores the distribution columns of each kind', async () => {
    await store.write([
      gauge(0.5, { host: 'a' }),
      histogram([1, 2, 3], null, { labels: { route: '/b' } }),
      exponential({ sum: 40.25, min: -3, max: 9 }),
      summary(),
    ]);

    const rows = await db.query<{ name: string; columns: string }>(
      `SELECT name, to_json({
         count: count, sum: sum, min: min, max: max,
         bounds: bucket_bounds, counts: bucket_counts,
         scale: exp_scale, zero_count: exp_zero_count,
         zero_threshold: exp_zero_threshold,
         positive_offset: exp_positive_offset,
         positive_counts: exp_positive_counts,
         negative_offset: exp_negative_offset,
         negative_counts: exp_negative_counts,
         quantiles: quantiles, quantile_values: quantile_values
       })::VARCHAR AS columns
       FROM metric_points ORDER BY name`,
    );
    const columns = Object.fromEntries(
      rows.map((r) => [r.name, JSON.parse(r.columns)]),
    );

    expect(columns['cpu.util']).toEqual(distribution({}));
    expect(columns['http.duration']).toEqual(
      distribution({
        count: 6,
        min: 0.01,
        max: 3,
        bounds: [0.1, 1],
        counts: [1, 2, 3],
      }),
    );
    expect(columns['rpc.size']).toEqual(
      distribution({
        count: 12,
        sum: 40.25,
        min: -3,
        max: 9,
        scale: 3,
        zero_count: 1,
        zero_threshold: 0.001,
        positive_offset: -2,
        positive_counts: [4, 0, 5],
        negative_offset: 1,
        negative_counts: [2],
      }),
    );
    expect(columns['rpc.latency']).toEqual(
      distribution({
        count: 3,
        sum: 6,
        quantiles: [0.5, 0.99],
        quantile_values: [1.5, 4],
      }),
    );
  });

  it('rejects a batch with a negative bucket count', async () => {
    const broken = histogram([1, -2, 3], 4.5);

    await expect(
      store.write([gauge(1, { host: 'a' }), broken]),
    ).rejects.toThrow(/-2/);

    expect(await storedValues()).toEqual({});
  });

  it('stores the type, unit and temporality of each point', async () => {
    await store.write([
      gauge(1, { host: 'a' }),
      counter(2, T0 - 60_000, T0),
      histogram([1, 2, 3], 4.5),
      gauge(4, { host: 'b' }, { unit: 'By', temporality: 'delta' }),
    ]);
    const rows = await db.query(
      `SELECT service, name, type, unit, temporality FROM metric_points
       ORDER BY name, unit`,
    );

    expect(rows).toEqual([
      row('cpu.util', 'gauge', '1', null),
      row('cpu.util', 'gauge', 'By', 'delta'),
      row('http.duration', 'histogram', 's', 'cumulative'),
      row('job.runs', 'counter', '1', 'cumulative'),
    ]);
  });
});

function row(
  name: string,
  type: string,
  unit: string,
  temporality: string | null,
) {
  return { service: 'api', name, type, unit, temporality };
}

/** Builds the 15 distribution columns of a row, NULL unless given. */
function distribution(set: Record<string, unknown>) {
  const names = [
    'count',
    'sum',
    'min',
    'max',
    'bounds',
    'counts',
    'scale',
    'zero_count',
    'zero_threshold',
    'positive_offset',
    'positive_counts',
    'negative_offset',
    'negative_counts',
    'quantiles',
    'quantile_values',
  ];
  return Object.fromEntries(names.map((n) => [n, set[n] ?? null]));
}

function exponential(fields: { sum: number; min: number; max: number }) {
  return gauge(
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
        ...fields,
      },
    },
  );
}

function summary() {
  return gauge(
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
  );
}
