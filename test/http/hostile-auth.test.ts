import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_API_KEY_LENGTH } from '#shared/limits.js';
import { rawJsonBody, sendRaw } from '#test/fuzz/raw-http.js';
import {
  getJson,
  postJson,
  requestJson,
  startTestServer,
  TEST_API_KEY,
  type TestServer,
} from '#test/support/server.js';

let server: TestServer;
const api = (path: string) => `${server.url}/api/observatory${path}`;

/** Creates a key with `scopes` and returns it with its id. */
async function createKey(scopes: string[]) {
  const created = await postJson(api('/keys'), { name: 'attack', scopes });
  expect(created.status).toBe(201);
  return { key: created.body.key as string, id: created.body.id as string };
}

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server.close();
});

describe('API key headers', () => {
  it.each([
    ['an empty x-api-key', { 'x-api-key': '' }],
    ['a blank x-api-key', { 'x-api-key': '   ' }],
    ['a bare Bearer', { 'x-api-key': '', authorization: 'Bearer' }],
    [
      'Basic credentials',
      { 'x-api-key': '', authorization: `Basic ${btoa(`${TEST_API_KEY}:`)}` },
    ],
    [
      'a bearer token with a second word',
      { 'x-api-key': '', authorization: `Bearer ${TEST_API_KEY} extra` },
    ],
    ['the key in upper case', { 'x-api-key': TEST_API_KEY.toUpperCase() }],
    ['the key with a prefix', { 'x-api-key': `x${TEST_API_KEY}` }],
    ['two keys in one header', { 'x-api-key': `${TEST_API_KEY}, other` }],
    [
      'a key longer than any key',
      { 'x-api-key': `${TEST_API_KEY}${'x'.repeat(MAX_API_KEY_LENGTH)}` },
    ],
    ['a 12 KiB key', { 'x-api-key': 'k'.repeat(12 * 1024) }],
  ])('answers 401 to %s', async (_name, headers) => {
    const response = await getJson(api('/keys'), headers);

    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('unauthorized');
  });

  it('accepts a bearer token in any case', async () => {
    const response = await getJson(api('/keys'), {
      'x-api-key': '',
      authorization: `bEaReR   ${TEST_API_KEY}`,
    });

    expect(response.status).toBe(200);
  });

  it('answers 401 to a revoked key at once', async () => {
    const { key, id } = await createKey(['read']);
    const before = await getJson(api('/services'), { 'x-api-key': key });
    await requestJson('DELETE', api(`/keys/${id}`));

    const after = await getJson(api('/services'), { 'x-api-key': key });

    expect(before.status).toBe(200);
    expect(after.status).toBe(401);
  });

  it('keeps a read key away from ingest and admin routes', async () => {
    const { key } = await createKey(['read']);
    const headers = { 'x-api-key': key };

    const ingest = await postJson(api('/logs/ingest'), {}, headers);
    const admin = await getJson(api('/keys'), headers);
    const create = await postJson(
      api('/keys'),
      { name: 'escalate', scopes: ['admin'] },
      headers,
    );

    expect(ingest.status).toBe(403);
    expect(admin.status).toBe(403);
    expect(create.status).toBe(403);
  });

  it('keeps an ingest key from reading data back', async () => {
    const { key } = await createKey(['ingest']);

    const response = await postJson(
      api('/logs/search'),
      {},
      {
        'x-api-key': key,
      },
    );

    expect(response.status).toBe(403);
  });
});

describe('hostile request heads', () => {
  it('answers 431 with a JSON body to oversized headers', async () => {
    const response = await fetch(`${server.url}/health`, {
      headers: { 'x-padding': 'p'.repeat(20 * 1024) },
    });
    const body: any = await response.json();

    expect(response.status).toBe(431);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(body.error.message).toContain('headers are too large');
  });

  it.each([
    ['a target of //', 'GET //', 400],
    ['a target of ///x', 'GET ///x', 404],
    ['a cut escape', 'GET /api/observatory/traces/%E0%A4', 400],
    ['a header line without a colon', 'GET /health', 400, 'broken\r\n'],
    ['a CR inside a header value', 'GET /health', 400, 'x-a: b\rc\r\n'],
    ['an unknown method', 'BREW /health', 400],
  ])(
    'answers %s and keeps serving',
    async (_name, line, status, extra = '') => {
      const request = `${line} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n${extra}\r\n`;
      const exchange = await sendRaw(server.url, [request]);
      const health = await fetch(`${server.url}/health`);

      expect(exchange.status).toBe(status);
      expect(exchange.response).toContain('x-content-type-options: nosniff');
      expect(rawJsonBody(exchange.response)?.error).toBeDefined();
      expect(health.status).toBe(200);
    },
  );

  it('puts no request text into response headers', async () => {
    const injected = encodeURIComponent('x\r\nset-cookie: session=stolen');

    const response = await fetch(api(`/services/${injected}`), {
      headers: { 'x-api-key': TEST_API_KEY },
    });
    await response.arrayBuffer();

    expect(response.status).toBe(404);
    expect(response.headers.get('set-cookie')).toBeNull();
    expect([...response.headers.keys()].sort()).toEqual([
      'connection',
      'content-length',
      'content-type',
      'date',
      'keep-alive',
      'x-content-type-options',
    ]);
  });

  it.each([
    ['x-http-method-override', 'DELETE'],
    ['x-method-override', 'DELETE'],
    ['x-http-method', 'DELETE'],
  ])('ignores %s', async (header, method) => {
    const { id } = await createKey(['read']);

    const overridden = await requestJson('GET', api(`/keys/${id}`), undefined, {
      [header]: method,
    });
    const listed = await getJson(api('/keys?limit=100'));
    const entry = listed.body.keys.find((key: { id: string }) => key.id === id);

    expect(overridden.status).toBe(405);
    expect(entry.revoked_at).toBeNull();
  });

  it('ignores a _method query parameter', async () => {
    const { id } = await createKey(['read']);

    const response = await getJson(api(`/keys?_method=DELETE&id=${id}`));
    const listed = await getJson(api('/keys?limit=100'));
    const entry = listed.body.keys.find((key: { id: string }) => key.id === id);

    expect(response.status).toBe(200);
    expect(entry.revoked_at).toBeNull();
  });
});
