import { DuckDb } from '#shared/store/duckdb/database.js';
import { DuckDbMetricStore } from '#shared/store/duckdb/metric-store.js';
import { metricStoreContract } from './metric-store.contract.js';

metricStoreContract('DuckDB', async () => {
  const db = await DuckDb.open(':memory:');
  const store = new DuckDbMetricStore(db);
  await store.init();
  return { store, close: () => db.close() };
});
