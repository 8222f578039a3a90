import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CHAIN, type DemoResult, runDemo } from '#demo/run.js';
import {
  AUTH,
  getJson,
  postJson,
  startTestServer,
  type TestServer,
} from '#test/support/server.js';

const REQUESTS = 10;

describe('demo', () => {
  let server: TestServer;
  let result: DemoResult;

  const api = (path: string) => `${server.url}/api/observatory${path}`;

  beforeAll(async () => {
    server = await startTestServer();
    result = await runDemo({
      endpoint: server.url,
      requests: REQUESTS,
      pauseMs: 0,
      headers: AUTH,
    });
  }, 90_000);

  afterAll(async () => {
    await server?.close();
  });

  it('fails three of ten requests by design', () => {
    expect(result.failed).toBe(3);
  });

  it('builds one three-service tree per request', async () => {
    const list = await getJson(api(`/traces/service/frontend?limit=50`));
    expect(list.body.traces).toHaveLength(REQUESTS);

    for (const summary of list.body.traces) {
      const trace = await getJson(api(`/traces/${summary.trace_id}`));
      expect(trace.body.services.sort()).toEqual([...DEMO_CHAIN].sort());
      expect(trace.body.spans).toHaveLength(1);
      expect(trace.body.spans[0].service).toBe('frontend');
    }
  });

  it.each(DEMO_CHAIN)('stores the request counter of %s', async (service) => {
    const query = await postJson(api('/metrics/query'), {
      service,
      metric_name: 'demo.requests',
      aggregation: 'max',
    });

    expect(query.status).toBe(200);
    expect(query.body.series.length).toBeGreaterThan(0);
  });

  it('stores the error logs of the failing service', async () => {
    const search = await postJson(api('/logs/search'), {
      service: 'inventory',
      min_level: 'ERROR',
    });

    expect(search.body.logs).toHaveLength(2);
    for (const log of search.body.logs) {
      expect(log.trace_id).toMatch(/^[0-9a-f]{32}$/);
    }
  });
});
