import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  getJson,
  postJson,
  putJson,
  startTestServer,
  type TestServer,
} from '#test/support/server.js';

/** The clock of the server under test; T0 lies ten minutes before it. */
const NOW_MS = Date.parse('2026-03-02T09:30:00.000Z');
const T0_MS = NOW_MS - 600_000;
const T0 = BigInt(T0_MS) * 1_000_000n;
const MS = 1_000_000n;

const BASE = '/api/observatory/services';

let server: TestServer;
let clockMs = NOW_MS;

beforeEach(async () => {
  clockMs = NOW_MS;
  server = await startTestServer({ clock: { now: () => clockMs } });
});
afterEach(() => server.close());

const register = (body: unknown) =>
  postJson(`${server.url}${BASE}/register`, body);
const list = (query = '') => getJson(`${server.url}${BASE}${query}`);
const detail = (name: string, query = '') =>
  getJson(`${server.url}${BASE}/${encodeURIComponent(name)}${query}`);
const putHealth = (name: string, body: unknown) =>
  putJson(`${server.url}${BASE}/${encodeURIComponent(name)}/health`, body);

let spanCounter = 0;

/** Builds a span of our JSON API, `startMs` after T0, lasting `ms`. */
function span(service: string, startMs: bigint, ms: bigint, extra = {}) {
  spanCounter += 1;
  return {
    trace_id: spanCounter.toString(16).padStart(32, 'c'),
    span_id: spanCounter.toString(16).padStart(16, 'd'),
    service,
    name: 'GET /orders',
    kind: 'server',
    start_time_unix_nano: (T0 + startMs * MS).toString(),
    end_time_unix_nano: (T0 + (startMs + ms) * MS).toString(),
    ...extra,
  };
}

const sendSpans = (spans: unknown[]) =>
  postJson(`${server.url}/api/observatory/traces/spans/ingest`, { spans });

const CHECKOUT = {
  name: 'checkout',
  description: 'Takes orders and payments',
  team: 'payments',
  environment: 'production',
  version: '2.4.1',
  tags: { tier: '1', language: 'go' },
  dependencies: ['inventory', 'payments-api'],
};

describe('POST /services/register', () => {
  it('creates a service with 201', async () => {
    const response = await register(CHECKOUT);

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      ...CHECKOUT,
      registered: true,
      registered_at: '2026-03-02T09:30:00.000Z',
      updated_at: '2026-03-02T09:30:00.000Z',
      health: { status: 'unknown', reason: '', updated_at: null },
    });
  });

  it('updates a service with 200 and keeps registered_at', async () => {
    await register(CHECKOUT);
    clockMs += 60_000;

    const response = await register({ name: 'checkout', team: 'orders' });
    const read = await detail('checkout');

    expect(response.status).toBe(200);
    expect(read.body.team).toBe('orders');
    expect(read.body.version).toBeNull();
    expect(read.body.dependencies).toEqual([]);
    expect(read.body.registered_at).toBe('2026-03-02T09:30:00.000Z');
    expect(read.body.updated_at).toBe('2026-03-02T09:31:00.000Z');
  });

  it('lists a repeated dependency once', async () => {
    const body = { name: 'web', dependencies: ['api', 'db', 'api'] };

    const response = await register(body);

    expect(response.body.dependencies).toEqual(['api', 'db']);
  });

  it.each([
    ['no name', { team: 'a' }, 'name'],
    ['an empty name', { name: '' }, 'name'],
    ['a name with a newline', { name: 'a\nb' }, 'name'],
    ['a padded name', { name: ' api' }, 'name'],
    ['a numeric team', { name: 'api', team: 7 }, 'team'],
    ['an empty environment', { name: 'api', environment: '' }, 'environment'],
    ['a tag that is not text', { name: 'api', tags: { tier: 1 } }, 'tags.tier'],
    ['tags as a list', { name: 'api', tags: ['a'] }, 'tags'],
    [
      'dependencies as text',
      { name: 'api', dependencies: 'db' },
      'dependencies',
    ],
    [
      'a self-dependency',
      { name: 'api', dependencies: ['db', 'api'] },
      'dependencies[1]',
    ],
    ['an unknown field', { name: 'api', owner: 'me' }, '(root)'],
  ])('rejects %s naming the field', async (_name, body, path) => {
    const response = await register(body);

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_request');
    expect(response.body.error.details.map((d: any) => d.path)).toContain(path);
  });

  it('names the unknown field in the message', async () => {
    const response = await register({ name: 'api', owner: 'me' });

    expect(response.body.error.message).toContain('owner');
  });

  it('rejects a body that is not JSON', async () => {
    const response = await register('{"name": ');

    expect(response.status).toBe(400);
    expect(response.body.error.details[0].path).toBe('body');
  });
});

describe('GET /services', () => {
  beforeEach(async () => {
    await register({ name: 'checkout', team: 'payments', environment: 'prod' });
    await register({ name: 'api', team: 'core', environment: 'prod' });
    await register({ name: 'batch', team: 'core', environment: 'staging' });
    await sendSpans([span('worker', 0n, 5n), span('api', 0n, 5n)]);
  });

  it('lists registered and seen services sorted by name', async () => {
    const response = await list();
    const rows = response.body.services.map((s: any) => [
      s.name,
      s.registered,
      s.last_seen !== null,
    ]);

    expect(response.status).toBe(200);
    expect(rows).toEqual([
      ['api', true, true],
      ['batch', true, false],
      ['checkout', true, false],
      ['worker', false, true],
    ]);
    expect(response.body.next_cursor).toBeUndefined();
  });

  it('shows a seen service with defaults and its times', async () => {
    const response = await list();
    const worker = response.body.services.at(-1);

    expect(worker).toMatchObject({
      name: 'worker',
      registered: false,
      team: null,
      environment: null,
      first_seen: new Date(T0_MS).toISOString(),
      health: { status: 'unknown' },
    });
  });

  it.each([
    ['?environment=prod', ['api', 'checkout']],
    ['?team=core', ['api', 'batch']],
    ['?team=core&environment=staging', ['batch']],
    ['?environment=nowhere', []],
    ['?health=down', ['worker']],
    ['?health=unknown', ['api', 'batch', 'checkout']],
  ])('filters with %s', async (query, names) => {
    await putHealth('worker', { status: 'down', reason: 'no heartbeat' });

    const response = await list(query);

    expect(response.body.services.map((s: any) => s.name)).toEqual(names);
  });

  it('pages with limit and cursor', async () => {
    const first = await list('?limit=3');
    const cursor = encodeURIComponent(first.body.next_cursor);
    const second = await list(`?limit=3&cursor=${cursor}`);

    expect(first.body.services.map((s: any) => s.name)).toEqual([
      'api',
      'batch',
      'checkout',
    ]);
    expect(second.body.services.map((s: any) => s.name)).toEqual(['worker']);
    expect(second.body.next_cursor).toBeUndefined();
  });

  it.each([
    ['?limit=0', 'limit'],
    ['?limit=201', 'limit'],
    ['?limit=ten', 'limit'],
    ['?health=sick', 'health'],
    ['?cursor=abc', 'cursor'],
    ['?colour=red', '(root)'],
  ])('rejects %s naming the field', async (query, path) => {
    const response = await list(query);

    expect(response.status).toBe(400);
    expect(response.body.error.details.map((d: any) => d.path)).toContain(path);
  });
});

describe('GET /services/{service_id}', () => {
  it('returns the record with golden signals over 15 minutes', async () => {
    await register(CHECKOUT);
    await sendSpans([
      span('checkout', 0n, 40n),
      span('checkout', 1n, 10n, { status: { code: 'error' } }),
      span('checkout', 2n, 30n),
      span('checkout', 3n, 20n),
      span('checkout', 4n, 99n, { kind: 'client' }),
      span('inventory', 5n, 99n),
    ]);

    const response = await detail('checkout');
    const signals = response.body.golden_signals;

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ ...CHECKOUT, registered: true });
    expect(signals.window).toBe('15m');
    expect(signals.start).toBe('2026-03-02T09:15:00.000Z');
    expect(signals.end).toBe('2026-03-02T09:30:00.000Z');
    expect(signals.basis).toBe('server');
    expect(signals.request_count).toBe(4);
    expect(signals.request_rate).toBeCloseTo(4 / 900, 12);
    expect(signals.error_rate).toBe(0.25);
    expect(signals.latency_ms).toEqual({ p50: 25, p95: 38.5, p99: 39.7 });
  });

  it('counts only spans inside the window', async () => {
    await sendSpans([
      span('checkout', 0n, 10n),
      span('checkout', 400_000n, 10n),
    ]);

    const wide = await detail('checkout', '?window=1h');
    const narrow = await detail('checkout', '?window=5m');

    expect(wide.body.golden_signals.request_count).toBe(2);
    expect(narrow.body.golden_signals.request_count).toBe(1);
    expect(narrow.body.golden_signals.request_rate).toBeCloseTo(1 / 300, 12);
  });

  it('uses root spans for a service without server spans', async () => {
    const root = span('cron', 0n, 50n, { kind: 'internal' });
    const child = span('cron', 1n, 10n, {
      kind: 'client',
      trace_id: root.trace_id,
      parent_span_id: root.span_id,
    });
    await sendSpans([root, child]);

    const response = await detail('cron');
    const signals = response.body.golden_signals;

    expect(response.body.registered).toBe(false);
    expect(signals.basis).toBe('root');
    expect(signals.request_count).toBe(1);
    expect(signals.latency_ms.p50).toBe(50);
  });

  it('returns nulls for a service without requests', async () => {
    await register({ name: 'idle' });

    const response = await detail('idle');

    expect(response.body.golden_signals).toMatchObject({
      request_count: 0,
      request_rate: 0,
      error_rate: null,
      latency_ms: { p50: null, p95: null, p99: null },
    });
  });

  it('reads a URL-encoded name with a slash and a space', async () => {
    await register({ name: 'billing/api v2', team: 'billing' });

    const response = await detail('billing/api v2');

    expect(response.status).toBe(200);
    expect(response.body.name).toBe('billing/api v2');
  });

  it('returns 404 for a service neither registered nor seen', async () => {
    const response = await detail('ghost');

    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('not_found');
    expect(response.body.error.message).toContain('ghost');
  });

  it.each([
    ['?window=15', 'window'],
    ['?window=1w', 'window'],
    ['?window=30s', 'window'],
    ['?window=', 'window'],
    ['?since=1h', '(root)'],
  ])('rejects %s naming the field', async (query, path) => {
    await register({ name: 'api' });

    const response = await detail('api', query);

    expect(response.status).toBe(400);
    expect(response.body.error.details.map((d: any) => d.path)).toContain(path);
  });
});

describe('PUT /services/{service_id}/health', () => {
  beforeEach(() => register({ name: 'api' }));

  it('sets the current health and returns the history', async () => {
    const response = await putHealth('api', {
      status: 'degraded',
      reason: 'p95 above 800 ms',
    });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      service: 'api',
      status: 'degraded',
      reason: 'p95 above 800 ms',
      updated_at: '2026-03-02T09:30:00.000Z',
      history: [
        {
          status: 'degraded',
          reason: 'p95 above 800 ms',
          updated_at: '2026-03-02T09:30:00.000Z',
        },
      ],
    });
  });

  it('shows current health and history newest first', async () => {
    await putHealth('api', { status: 'down', reason: 'crash loop' });
    clockMs += 60_000;
    await putHealth('api', { status: 'healthy' });

    const { body } = await detail('api');

    expect(body.health.status).toBe('healthy');
    expect(body.health.updated_at).toBe('2026-03-02T09:31:00.000Z');
    expect(body.health.history.map((h: any) => h.status)).toEqual([
      'healthy',
      'down',
    ]);
    expect(body.health.history[1].reason).toBe('crash loop');
  });

  it('keeps the last 100 reports', async () => {
    for (let i = 0; i < 102; i += 1) {
      clockMs += 1_000;
      await putHealth('api', { status: 'healthy', reason: `check ${i}` });
    }

    const { body } = await detail('api');

    expect(body.health.history).toHaveLength(100);
    expect(body.health.history[0].reason).toBe('check 101');
    expect(body.health.history[99].reason).toBe('check 2');
  });

  it('accepts a service seen only in spans', async () => {
    await sendSpans([span('worker', 0n, 5n)]);

    const response = await putHealth('worker', { status: 'healthy' });

    expect(response.status).toBe(200);
  });

  it('returns 404 for an unknown service', async () => {
    const response = await putHealth('ghost', { status: 'healthy' });

    expect(response.status).toBe(404);
  });

  it.each([
    [{ status: 'sick' }, 'status'],
    [{ status: 'HEALTHY' }, 'status'],
    [{ reason: 'no status' }, 'status'],
    [{ status: 'down', reason: 5 }, 'reason'],
    [{ status: 'down', since: 'now' }, '(root)'],
  ])('rejects %o naming the field', async (body, path) => {
    const response = await putHealth('api', body);

    expect(response.status).toBe(400);
    expect(response.body.error.details.map((d: any) => d.path)).toContain(path);
  });

  it('names the allowed statuses in the message', async () => {
    const response = await putHealth('api', { status: 'sick' });

    expect(response.body.error.message).toContain(
      'healthy, degraded, down, unknown',
    );
  });
});
