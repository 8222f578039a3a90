import { DuckDb } from '#shared/store/duckdb/database.js';
import { DuckDbLogStore } from '#shared/store/duckdb/log-store.js';
import { describeLogStoreContract } from './log-store.contract.js';

describeLogStoreContract('duckdb', async () => {
  const db = await DuckDb.open(':memory:');
  const store = new DuckDbLogStore(db);
  await store.init();
  return { store, close: () => db.close() };
});
