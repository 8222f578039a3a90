import { DuckDbConfigStore } from '#shared/store/duckdb/config-store.js';
import { DuckDb } from '#shared/store/duckdb/database.js';
import { configStoreContract } from './config-store.contract.js';

configStoreContract('duckdb', async (clock) => {
  const db = await DuckDb.open(':memory:');
  const store = new DuckDbConfigStore(db, () => clock.now());
  await store.init();
  return { store, close: () => db.close() };
});
