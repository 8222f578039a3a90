import { DuckDb } from '#shared/store/duckdb/database.js';
import { DuckDbTraceStore } from '#shared/store/duckdb/trace-store.js';
import { traceStoreRelatedContract } from './trace-store-related.contract.js';

traceStoreRelatedContract('duckdb', async () => {
  const db = await DuckDb.open(':memory:');
  const store = new DuckDbTraceStore(db);
  await store.init();
  return { store, close: () => db.close() };
});
