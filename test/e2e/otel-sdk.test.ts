import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoService, startDemoService } from '#demo/processes.js';
import {
  AUTH,
  getJson,
  postJson,
  startTestServer,
  type TestServer,
} from '#test/support/server.js';

const api = (server: TestServer, path: string) =>
  `${server.url}/api/observatory${path}`;

async function callFrontend(url: string, query: string): Promise<number> {
  const response = await fetch(`${url}/work${query}`);
  await response.arrayBuffer();
  return response.status;
}

/**
 * Two services instrumented by the real OpenTelemetry JS SDK, each in its
 * own process: `frontend` exports OTLP protobuf and calls `backend`, which
 * exports OTLP JSON. Both flush on SIGTERM before the assertions run.
 */
describe('OpenTelemetry SDK end to end', () => {
  let server: TestServer;
  const statuses: number[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    const services: DemoService[] = [];
    try {
      const backend = await startDemoService({
        name: 'backend',
        endpoint: server.url,
        protocol: 'json',
        headers: AUTH,
      });
      services.push(backend);
      const frontend = await startDemoService({
        name: 'frontend',
        endpoint: server.url,
        protocol: 'protobuf',
        downstream: backend.url,
        headers: AUTH,
      });
      services.push(frontend);

      for (const query of ['', '', '?fail=backend', '']) {
        statuses.push(await callFrontend(frontend.url, query));
      }
    } finally {
      await Promise.all(services.map((service) => service.stop()));
    }
  }, 60_000);

  afterAll(async () => {
    await server?.close();
  });

  it('serves the calls, one of them failing', () => {
    expect(statuses).toEqual([200, 200, 500, 200]);
  });

  it('assembles each call into one tree across both services', async () => {
    const list = await getJson(api(server, '/traces/service/frontend'));
    expect(list.status).toBe(200);
    expect(list.body.traces).toHaveLength(4);

    for (const summary of list.body.traces) {
      const trace = await getJson(api(server, `/traces/${summary.trace_id}`));
      expect(trace.status).toBe(200);
      expect(trace.body.services.sort()).toEqual(['backend', 'frontend']);
      expect(trace.body.spans).toHaveLength(1);

      const root = trace.body.spans[0];
      expect(root.service).toBe('frontend');
      expect(root.kind).toBe('server');
      const client = root.children[0];
      expect(client.kind).toBe('client');
      expect(client.children[0].service).toBe('backend');
      expect(client.children[0].kind).toBe('server');
    }
  });

  it('marks the failed call as an error trace', async () => {
    const list = await getJson(api(server, '/traces/service/frontend'));
    const errors = list.body.traces.filter(
      (trace: { error_count: number }) => trace.error_count > 0,
    );

    expect(errors).toHaveLength(1);
  });

  it('returns the SDK counter from a metric query', async () => {
    const result = await postJson(api(server, '/metrics/query'), {
      service: 'backend',
      metric_name: 'demo.requests',
      aggregation: 'max',
      labels: { status: '200' },
    });

    expect(result.status).toBe(200);
    const values = result.body.series.flatMap(
      (series: { points: { value: number }[] }) =>
        series.points.map((point) => point.value),
    );
    expect(Math.max(...values)).toBe(3);
  });

  it('returns the SDK histogram from a metric query', async () => {
    const result = await postJson(api(server, '/metrics/query'), {
      service: 'frontend',
      metric_name: 'demo.latency',
      aggregation: 'count',
    });

    expect(result.status).toBe(200);
    expect(result.body.series.length).toBeGreaterThan(0);
  });

  it('stores the logs with the trace ids of their requests', async () => {
    const list = await getJson(api(server, '/traces/service/backend'));
    const traceIds = new Set(
      list.body.traces.map((trace: { trace_id: string }) => trace.trace_id),
    );
    const result = await postJson(api(server, '/logs/search'), {
      service: 'backend',
    });

    expect(result.status).toBe(200);
    expect(result.body.logs).toHaveLength(4);
    for (const log of result.body.logs) {
      expect(traceIds.has(log.trace_id)).toBe(true);
    }
    const failed = result.body.logs.filter(
      (log: { level: string }) => log.level === 'ERROR',
    );
    expect(failed).toHaveLength(1);
  });
});
