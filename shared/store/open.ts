import type { Config } from '../config.js';
import type { Stores } from './ports.js';

/** The stores a function reads or writes; the others are not opened. */
export type StoreName = 'metrics' | 'traces' | 'logs' | 'config' | 'topology';

export const ALL_STORES: readonly StoreName[] = [
  'metrics',
  'traces',
  'logs',
  'config',
  'topology',
];

/**
 * Opens the store set that `config.storage` names. Adapters are imported
 * on demand so a Lambda bundle never carries the embedded store. With
 * STORAGE=aws only the stores in `needs` are created, so each function
 * needs only its own settings and permissions.
 */
export async function openStores(
  config: Config,
  needs: readonly StoreName[] = ALL_STORES,
): Promise<Stores> {
  if (config.storage === 'aws') {
    const { openAwsStores } = await import('./aws/stores.js');
    return openAwsStores(config, needs);
  }
  const { openDuckDbStores } = await import('./duckdb/stores.js');
  return openDuckDbStores(config.dataDir);
}
