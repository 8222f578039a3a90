import type { Config } from '../config.js';
import type { Stores } from './ports.js';

/**
 * Opens the store set that `config.storage` names. Adapters are imported
 * on demand so a Lambda bundle never carries the embedded store.
 */
export async function openStores(config: Config): Promise<Stores> {
  const { openDuckDbStores } = await import('./duckdb/stores.js');
  return openDuckDbStores(config.dataDir);
}
