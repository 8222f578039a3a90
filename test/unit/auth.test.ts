import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authorize, scopeOf } from '#shared/auth/authorize.js';
import { ensureAdminKey, keyRecord } from '#shared/auth/bootstrap.js';
import {
  API_KEY_KIND,
  type ApiKeyRecord,
  generateKey,
  presentedKey,
} from '#shared/auth/keys.js';
import { KeyVerifier } from '#shared/auth/verifier.js';
import { fixedClock } from '#shared/clock.js';
import { ROUTES, routeKey } from '#shared/routes.js';
import { DuckDbConfigStore } from '#shared/store/duckdb/config-store.js';
import { DuckDb } from '#shared/store/duckdb/database.js';

const NOW = Date.parse('2026-12-04T12:00:00Z');
const INGEST_ROUTE = 'POST /api/observatory/metrics/ingest';
const READ_ROUTE = 'POST /api/observatory/metrics/query';

describe('API keys', () => {
  let db: DuckDb;
  let config: DuckDbConfigStore;

  beforeEach(async () => {
    db = await DuckDb.open(':memory:');
    config = new DuckDbConfigStore(db);
    await config.init();
  });

  afterEach(async () => {
    await db.close();
  });

  async function storeKey(scopes: ApiKeyRecord['scopes']): Promise<string> {
    const key = generateKey();
    const record = keyRecord(key, 'test', scopes, NOW);
    await config.put(API_KEY_KIND, record.id, record);
    return key;
  }

  it('stores only the hash of a generated key', async () => {
    const key = await storeKey(['ingest']);
    const page = await config.list<ApiKeyRecord>(API_KEY_KIND, { limit: 10 });

    expect(JSON.stringify(page.items)).not.toContain(key);
    expect(page.items[0]?.value.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('allows a key on a route of its scope', async () => {
    const key = await storeKey(['ingest']);
    const verifier = new KeyVerifier(config, fixedClock(NOW));

    const decision = await authorize(verifier, INGEST_ROUTE, {
      'x-api-key': key,
    });

    expect(decision.effect).toBe('allow');
  });

  it('accepts the key as a bearer token', async () => {
    const key = await storeKey(['read']);
    const verifier = new KeyVerifier(config, fixedClock(NOW));

    const decision = await authorize(verifier, READ_ROUTE, {
      authorization: `Bearer ${key}`,
    });

    expect(decision.effect).toBe('allow');
  });

  it('forbids a key on a route of another scope', async () => {
    const key = await storeKey(['ingest']);
    const verifier = new KeyVerifier(config, fixedClock(NOW));

    const decision = await authorize(verifier, READ_ROUTE, {
      'x-api-key': key,
    });

    expect(decision.effect).toBe('forbidden');
  });

  it.each([
    ['no key', {}],
    ['an unknown key', { 'x-api-key': 'obs_not-a-real-key' }],
    ['an empty bearer', { authorization: 'Bearer ' }],
  ])('rejects %s as unauthorized', async (_name, headers) => {
    const verifier = new KeyVerifier(config, fixedClock(NOW));

    const decision = await authorize(verifier, INGEST_ROUTE, headers);

    expect(decision.effect).toBe('unauthorized');
  });

  it('rejects a revoked key once the cache expires', async () => {
    const key = await storeKey(['ingest']);
    let now = NOW;
    const verifier = new KeyVerifier(config, { now: () => now }, 60_000);
    await authorize(verifier, INGEST_ROUTE, { 'x-api-key': key });
    const item = (await config.list<ApiKeyRecord>(API_KEY_KIND, { limit: 1 }))
      .items[0];
    if (!item) throw new Error('key missing');
    await config.put(API_KEY_KIND, item.id, {
      ...item.value,
      revoked_at: new Date(NOW).toISOString(),
    });

    const cached = await authorize(verifier, INGEST_ROUTE, {
      'x-api-key': key,
    });
    now += 60_001;
    const expired = await authorize(verifier, INGEST_ROUTE, {
      'x-api-key': key,
    });

    expect(cached.effect).toBe('allow');
    expect(expired.effect).toBe('unauthorized');
  });

  it('leaves open routes open', async () => {
    const verifier = new KeyVerifier(config, fixedClock(NOW));

    const decision = await authorize(verifier, 'GET /health', {});

    expect(decision.effect).toBe('allow');
  });

  it('creates a first admin key once', async () => {
    const first = await ensureAdminKey(config, NOW);
    const second = await ensureAdminKey(config, NOW);
    const verifier = new KeyVerifier(config, fixedClock(NOW));

    expect(first).toMatch(/^obs_/);
    expect(second).toBeUndefined();
    const decision = await authorize(verifier, 'GET /api/observatory/keys', {
      'x-api-key': first,
    });
    expect(decision.effect).toBe('allow');
  });

  it('stores a configured admin key without returning it', async () => {
    const created = await ensureAdminKey(config, NOW, 'my-local-admin-key');
    const verifier = new KeyVerifier(config, fixedClock(NOW));

    const decision = await authorize(verifier, 'GET /api/observatory/keys', {
      'x-api-key': 'my-local-admin-key',
    });

    expect(created).toBeUndefined();
    expect(decision.effect).toBe('allow');
  });
});

describe('route scopes', () => {
  it('leaves open only health and the access-key checked Firehose route', () => {
    const open = ROUTES.filter((route) => route.scope === 'none').map(routeKey);

    expect(open.sort()).toEqual([
      'GET /health',
      'POST /api/observatory/firehose',
    ]);
  });

  it('treats an unknown route key as admin', () => {
    expect(scopeOf('GET /nowhere')).toBe('admin');
  });

  it('reads x-api-key before the authorization header', () => {
    expect(presentedKey({ 'x-api-key': 'a', authorization: 'Bearer b' })).toBe(
      'a',
    );
  });
});
