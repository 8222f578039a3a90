import type { Stores } from '../ports.js';
import { DuckDbConfigStore } from './config-store.js';
import { DuckDb } from './database.js';
import { DuckDbLogStore } from './log-store.js';
import { DuckDbMetricStore } from './metric-store.js';
import { DuckDbTopologyStore } from './topology-store.js';
import { DuckDbTraceStore } from './trace-store.js';

/** Opens the embedded store set on one DuckDB database in `dataDir`. */
export async function openDuckDbStores(dataDir: string): Promise<Stores> {
  const db = await DuckDb.open(dataDir);
  const metrics = new DuckDbMetricStore(db);
  const traces = new DuckDbTraceStore(db);
  const logs = new DuckDbLogStore(db);
  const config = new DuckDbConfigStore(db);
  const topology = new DuckDbTopologyStore(db);
  const all = [metrics, traces, logs, config, topology];
  for (const store of all) await store.init();

  return { metrics, traces, logs, config, topology, close: () => db.close() };
}
