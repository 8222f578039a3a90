import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '#shared/routes.js';
import {
  deleteJson,
  getJson,
  postJson,
  requestJson,
  startTestServer,
  type TestServer,
} from '#test/support/server.js';

const NO_KEY = { 'x-api-key': '' };

/** Fills `{param}` segments so the path matches its route. */
function concretePath(path: string): string {
  return path
    .replace('{trace_id}', '4bf92f3577b34da6a3ce929d0e0e4736')
    .replace(/\{[a-z_]+\}/g, 'x');
}

describe('API key enforcement', () => {
  let server: TestServer;
  const api = (path: string) => `${server.url}/api/observatory${path}`;

  beforeAll(async () => {
    server = await startTestServer();
  });

  afterAll(async () => {
    await server.close();
  });

  async function createKey(scopes: string[]): Promise<string> {
    return (await createKeyWithId(scopes)).key;
  }

  async function createKeyWithId(
    scopes: string[],
  ): Promise<{ key: string; id: string }> {
    const created = await postJson(api('/keys'), { name: 'k', scopes });
    expect(created.status).toBe(201);
    return { key: created.body.key, id: created.body.id };
  }

  const guarded = ROUTES.filter((route) => route.scope !== 'none');

  it.each(guarded.map((route) => [route.method, route.path]))(
    'answers 401 to %s %s without a key',
    async (method, path) => {
      const response = await requestJson(
        method,
        `${server.url}${concretePath(path)}`,
        method === 'GET' || method === 'DELETE' ? undefined : {},
        NO_KEY,
      );

      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('unauthorized');
    },
  );

  it('keeps /health open', async () => {
    const response = await getJson(`${server.url}/health`, NO_KEY);

    expect(response.status).toBe(200);
  });

  it('answers 401 to an unknown key like a missing one', async () => {
    const unknown = await getJson(api('/keys'), { 'x-api-key': 'obs_nope' });
    const missing = await getJson(api('/keys'), NO_KEY);

    expect(unknown.status).toBe(401);
    expect(unknown.body.error.message).toBe(missing.body.error.message);
  });

  it('answers 403 to a key without the route scope', async () => {
    const key = await createKey(['ingest']);

    const response = await postJson(
      api('/logs/search'),
      {},
      { 'x-api-key': key },
    );

    expect(response.status).toBe(403);
    expect(response.body.error.message).toContain('read scope');
  });

  it('accepts a bearer token', async () => {
    const key = await createKey(['read']);

    const response = await postJson(
      api('/logs/search'),
      {},
      { 'x-api-key': '', authorization: `Bearer ${key}` },
    );

    expect(response.status).toBe(200);
  });

  it('shows a new key once and lists it without secrets', async () => {
    const created = await postJson(api('/keys'), {
      name: 'ci',
      scopes: ['ingest', 'read'],
    });

    const listed = await getJson(api('/keys?limit=100'));
    const entry = listed.body.keys.find(
      (key: { id: string }) => key.id === created.body.id,
    );

    expect(created.body.key).toMatch(/^obs_/);
    expect(entry).toMatchObject({ name: 'ci', scopes: ['ingest', 'read'] });
    expect(entry.hash).toBeUndefined();
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);
  });

  it('rejects a revoked key', async () => {
    const { key, id } = await createKeyWithId(['read']);

    const before = await postJson(
      api('/logs/search'),
      {},
      { 'x-api-key': key },
    );
    const revoked = await deleteJson(api(`/keys/${id}`));
    const after = await postJson(api('/logs/search'), {}, { 'x-api-key': key });

    expect(before.status).toBe(200);
    expect(revoked.body.revoked_at).toEqual(expect.any(String));
    expect(after.status).toBe(401);
  });

  it('answers 404 when revoking an unknown key', async () => {
    const response = await deleteJson(api('/keys/0000000000000000'));

    expect(response.status).toBe(404);
  });

  it.each([
    [{ name: 'x', scopes: [] }, 'scopes'],
    [{ name: 'x', scopes: ['root'] }, 'scopes[0]'],
    [{ scopes: ['read'] }, 'name'],
  ])('rejects key request %j naming %s', async (body, path) => {
    const response = await postJson(api('/keys'), body);

    expect(response.status).toBe(400);
    expect(response.body.error.details[0].path).toBe(path);
  });
});
