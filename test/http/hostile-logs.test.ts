import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type LocalServer, startLocalServer } from '#infra/local/server.js';
import { keyRecord } from '#shared/auth/bootstrap.js';
import { API_KEY_KIND } from '#shared/auth/keys.js';
import { fixedClock } from '#shared/clock.js';
import { createLogger } from '#shared/logger.js';
import { openDuckDbStores } from '#shared/store/duckdb/stores.js';
import type { Stores } from '#shared/store/ports.js';
import { TEST_CONFIG } from '#test/support/server.js';

const ADMIN_KEY = 'obs_admin-key-that-must-never-be-logged';
const INGEST_KEY = 'obs_ingest-key-that-must-never-be-logged';
const WRONG_KEY = 'obs_wrong-key-that-must-never-be-logged';
const T0_MS = Date.parse('2026-01-15T12:00:00Z');

let server: LocalServer;
let stores: Stores;
let written: string[] = [];

/**
 * Starts a server whose logger logs everything, with event logging asked
 * for by the environment, the setting that would print request headers.
 */
async function startLoggingServer(): Promise<LocalServer> {
  stores = await openDuckDbStores(':memory:');
  vi.stubEnv('POWERTOOLS_LOGGER_LOG_EVENT', 'true');
  const logger = createLogger('observatory-key-logs');
  vi.unstubAllEnvs();
  logger.setLogLevel('DEBUG');
  for (const [key, scopes] of [
    [ADMIN_KEY, ['admin', 'read', 'ingest']],
    [INGEST_KEY, ['ingest']],
  ] as const) {
    const record = keyRecord(key, 'test', [...scopes], T0_MS);
    await stores.config.put(API_KEY_KIND, record.id, record);
  }
  const deps = {
    config: TEST_CONFIG,
    stores,
    clock: fixedClock(T0_MS),
    logger,
  };
  return startLocalServer({ deps, port: 0, keyCacheTtlMs: 0 });
}

async function call(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

beforeAll(async () => {
  server = await startLoggingServer();
  // Powertools writes INFO and DEBUG to stdout, WARN and ERROR to stderr.
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
  }
});

afterAll(async () => {
  vi.restoreAllMocks();
  await server.close();
  await stores.close();
});

describe('API keys in logs', () => {
  it('never logs a key on auth failures or key creation', async () => {
    written = [];
    const rejected = await call('GET', '/api/observatory/keys', {
      'x-api-key': WRONG_KEY,
    });
    const bearer = await call('GET', '/api/observatory/keys', {
      authorization: `Bearer ${WRONG_KEY}`,
    });
    const forbidden = await call('GET', '/api/observatory/keys', {
      'x-api-key': INGEST_KEY,
    });
    const created = await call(
      'POST',
      '/api/observatory/keys',
      { 'x-api-key': ADMIN_KEY },
      { name: 'ci', scopes: ['read'] },
    );
    const output = written.join('');

    expect(rejected.status).toBe(401);
    expect(bearer.status).toBe(401);
    expect(forbidden.status).toBe(403);
    expect(created.status).toBe(201);
    expect(output).toContain('request rejected');
    expect(output).toContain('api key created');
    for (const key of [ADMIN_KEY, INGEST_KEY, WRONG_KEY, created.body.key]) {
      expect(output).not.toContain(key);
    }
  });

  it('logs why a request was rejected', async () => {
    written = [];
    await call('GET', '/api/observatory/keys', { 'x-api-key': INGEST_KEY });
    const output = written.join('');

    expect(output).toContain('lacks the admin scope');
    expect(output).not.toContain('reserved key');
  });
});
