import { DuckDb } from '#shared/store/duckdb/database.js';
import { DuckDbTopologyStore } from '#shared/store/duckdb/topology-store.js';
import { topologyStoreRepeatsContract } from './topology-store-repeats.contract.js';

topologyStoreRepeatsContract('duckdb', async () => {
  const db = await DuckDb.open(':memory:');
  const store = new DuckDbTopologyStore(db);
  await store.init();
  return { store, close: () => db.close() };
});
