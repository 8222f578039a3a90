import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDb } from '#shared/store/duckdb/database.js';
import { DuckDbMetricStore } from '#shared/store/duckdb/metric-store.js';
import { gauge } from './metric-store.contract.js';

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
});
