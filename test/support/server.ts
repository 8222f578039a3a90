import { startLocalServer } from '#infra/local/server.js';
import { keyRecord } from '#shared/auth/bootstrap.js';
import { API_KEY_KIND, KEY_SCOPES } from '#shared/auth/keys.js';
import { type Clock, systemClock } from '#shared/clock.js';
import { type Config, loadConfig } from '#shared/config.js';
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

/** A key with every scope, stored in each test server. */
export const TEST_API_KEY = 'obs_test-key-with-all-scopes';

/** Headers that authenticate a request with {@link TEST_API_KEY}. */
export const AUTH: Readonly<Record<string, string>> = {
  'x-api-key': TEST_API_KEY,
};

export const TEST_CONFIG: Config = {
  ...loadConfig({}),
  dataDir: ':memory:',
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
  const record = keyRecord(TEST_API_KEY, 'test', [...KEY_SCOPES], 0);
  await stores.config.put(API_KEY_KIND, record.id, record);
  const server = await startLocalServer({ deps, port: 0, keyCacheTtlMs: 0 });

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
    headers: { 'content-type': 'application/json', ...AUTH, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

export async function getJson(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { headers: { ...AUTH, ...headers } });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** Sends `method` with an optional JSON body and parses the answer. */
export async function requestJson(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...AUTH, ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

export const putJson = (url: string, body: unknown) =>
  requestJson('PUT', url, body);

export const deleteJson = (url: string) => requestJson('DELETE', url);
