import { systemClock } from '#shared/clock.js';
import { loadConfig } from '#shared/config.js';
import type { Deps } from '#shared/deps.js';
import { createLogger } from '#shared/logger.js';
import { DuckDbConfigStore } from '#shared/store/duckdb/config-store.js';
import { DuckDb } from '#shared/store/duckdb/database.js';
import { DuckDbLogStore } from '#shared/store/duckdb/log-store.js';
import { DuckDbMetricStore } from '#shared/store/duckdb/metric-store.js';
import { DuckDbTopologyStore } from '#shared/store/duckdb/topology-store.js';
import { DuckDbTraceStore } from '#shared/store/duckdb/trace-store.js';

/** Deps over an embedded database, with the database itself at hand. */
export interface EmbeddedDeps {
  deps: Deps;
  db: DuckDb;
  close(): Promise<void>;
}

/**
 * Opens the DuckDB store set on `dataDir` as `npm start` does
 * (shared/store/duckdb/stores.ts), but keeps the {@link DuckDb} so the
 * benchmark can run its own statements on the same database. Handler
 * logs are silenced, so they do not mix with the benchmark's output.
 */
export async function openEmbeddedDeps(dataDir: string): Promise<EmbeddedDeps> {
  const db = await DuckDb.open(dataDir);
  const metrics = new DuckDbMetricStore(db);
  const traces = new DuckDbTraceStore(db);
  const logs = new DuckDbLogStore(db);
  const config = new DuckDbConfigStore(db);
  const topology = new DuckDbTopologyStore(db);
  for (const store of [metrics, traces, logs, config, topology]) {
    await store.init();
  }
  const close = () => db.close();
  const stores = { metrics, traces, logs, config, topology, close };
  const logger = createLogger('observatory-bench');
  logger.setLogLevel('SILENT');
  const config$ = { ...loadConfig({}), dataDir };
  const deps: Deps = { config: config$, stores, clock: systemClock, logger };
  return { deps, db, close };
}
