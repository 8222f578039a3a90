import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getJson,
  postJson,
  startTestServer,
  type TestServer,
} from '#test/support/server.js';

describe('JSON bodies', () => {
  let server: TestServer;
  const api = (path: string) => `${server.url}/api/observatory${path}`;

  beforeAll(async () => {
    server = await startTestServer();
  });

  afterAll(async () => {
    await server.close();
  });

  it('keeps logs readable after an attribute of 1e21', async () => {
    const ingest = await postJson(
      api('/logs/ingest'),
      '{"service":"wide","message":"m","attributes":{"x":1e21}}',
    );

    const read = await getJson(api('/logs/service/wide'));

    expect(ingest.status).toBe(200);
    expect(read.status).toBe(200);
    expect(read.body.logs[0].attributes.x).toBe(1e21);
  });

  it.each([
    ['/metrics/ingest/batch', '{"points":[{"labels":{"__proto__":"x"}}]}'],
    ['/logs/ingest', '{"service":"p","attributes":{"__proto__":{}}}'],
  ])('rejects a __proto__ key sent to %s', async (path, body) => {
    const response = await postJson(api(path), body);

    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain('__proto__');
  });
});
