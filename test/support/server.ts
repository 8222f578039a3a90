import { startLocalServer } from '#infra/local/server.js';
import { type Clock, systemClock } from '#shared/clock.js';
import type { Config } from '#shared/config.js';
import type { Deps } from '#shared/deps.js';
import { createLogger } from '#shared/logger.js';
import { openDuckDbStores } from '#shared/store/duckdb/stores.js';
import type { Stores } from '#shared/store/ports.js';

export interface TestServer {
  url: string;
  stores: Stores;
  deps: Deps;
  close(): Promise<void>;
}

export const TEST_CONFIG: Config = {
  storage: 'duckdb',
  dataDir: ':memory:',
  ingestMaxAgeMs: 7 * 24 * 3_600_000,
  ingestMaxFutureMs: 10 * 60_000,
};

/** Starts the local server on a free loopback port over in-memory DuckDB. */
export async function startTestServer(
  options: { clock?: Clock; config?: Partial<Config> } = {},
): Promise<TestServer> {
  const config = { ...TEST_CONFIG, ...options.config };
  const stores = await openDuckDbStores(config.dataDir);
  const logger = createLogger('observatory-test');
  logger.setLogLevel('SILENT');
  const deps: Deps = {
    config,
    stores,
    clock: options.clock ?? systemClock,
    logger,
  };
  const server = await startLocalServer({ deps, port: 0 });

  return {
    url: server.url,
    stores,
    deps,
    close: async () => {
      await server.close();
      await stores.close();
    },
  };
}

/** POSTs JSON and returns the status and parsed body. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

export async function getJson(
  url: string,
): Promise<{ status: number; body: any }> {
  const response = await fetch(url);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}
