import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '#shared/clock.js';
import {
  at,
  span as otlpSpan,
  resourceOf,
  traceRequest,
} from '#test/fixtures/otlp/requests.js';
import {
  getJson,
  postJson,
  startTestServer,
  type TestServer,
} from '#test/support/server.js';

/** The clock of the server under test; T0 lies ten minutes before it. */
const NOW_MS = Date.parse('2026-03-02T09:30:00.000Z');
const T0_MS = NOW_MS - 600_000;
const T0 = BigInt(T0_MS) * 1_000_000n;
const MS = 1_000_000n;
const ns = (offset: bigint) => (T0 + offset).toString();

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer({ clock: fixedClock(NOW_MS) });
});
afterEach(() => server.close());

const topology = (name: string, query = '') =>
  getJson(
    `${server.url}/api/observatory/services/` +
      `${encodeURIComponent(name)}/topology${query}`,
  );
const sendSpans = (spans: unknown[]) =>
  postJson(`${server.url}/api/observatory/traces/spans/ingest`, { spans });
const register = (body: unknown) =>
  postJson(`${server.url}/api/observatory/services/register`, body);

const edgeNames = (body: any) =>
  body.edges.map((e: any) => `${e.source}>${e.target}`);
const nodeNames = (body: any) => body.nodes.map((n: any) => n.name).sort();

let traceCounter = 0;

/**
 * Builds one trace in which each service calls the next: a client span in
 * the caller and a server span below it in the callee. `ms` is each span's
 * duration and `startMs` the trace's offset after T0.
 */
function chain(
  services: string[],
  options: { startMs?: bigint; ms?: bigint; error?: boolean } = {},
) {
  traceCounter += 1;
  const traceId = traceCounter.toString(16).padStart(32, 'e');
  const start = T0 + (options.startMs ?? 0n) * MS;
  const spans: Record<string, unknown>[] = [];
  let parent: string | null = null;
  for (const [i, service] of services.entries()) {
    const server = (2 * i + 1).toString(16).padStart(16, 'f');
    const client = (2 * i + 2).toString(16).padStart(16, 'f');
    const end = start + (options.ms ?? 10n) * MS;
    const status = options.error && i > 0 ? 'error' : 'unset';
    spans.push({
      trace_id: traceId,
      span_id: server,
      parent_span_id: parent,
      service,
      name: 'handle',
      kind: 'server',
      start_time_unix_nano: start.toString(),
      end_time_unix_nano: end.toString(),
      status: { code: status },
    });
    spans.push({
      trace_id: traceId,
      span_id: client,
      parent_span_id: server,
      service,
      name: 'call',
      kind: 'client',
      start_time_unix_nano: start.toString(),
      end_time_unix_nano: end.toString(),
    });
    parent = client;
  }
  return spans;
}

describe('orphan then parent', () => {
  const TRACE_ID = '7ca373f7c7e0f17df9965485593768ce';
  const child = {
    trace_id: TRACE_ID,
    span_id: '46dfdbccdb1ddb89',
    parent_span_id: '82a3dd7705c4527d',
    service: 'svc-b',
    name: 'GET /orders',
    kind: 'server',
    start_time_unix_nano: ns(10n * MS),
    end_time_unix_nano: ns(20n * MS),
  };
  const parent = {
    trace_id: TRACE_ID,
    span_id: '82a3dd7705c4527d',
    service: 'svc-a',
    name: 'GET /orders',
    kind: 'client',
    start_time_unix_nano: ns(0n),
    end_time_unix_nano: ns(30n * MS),
  };

  it('shows no edge while only the child is stored', async () => {
    await sendSpans([child]);

    const { status, body } = await topology('svc-b');

    expect(status).toBe(200);
    expect(body.edges).toEqual([]);
    expect(body.nodes).toEqual([
      { name: 'svc-b', registered: false, distance: 0 },
    ]);
  });

  it('adds the edge once the parent arrives, once', async () => {
    await sendSpans([child]);
    await postJson(`${server.url}/api/observatory/traces/ingest`, {
      trace_id: TRACE_ID,
      spans: [parent],
    });
    await sendSpans([child, parent]);
    await sendSpans([parent]);

    const { body } = await topology('svc-b');

    expect(body.edges).toEqual([
      {
        source: 'svc-a',
        target: 'svc-b',
        declared: false,
        observed: true,
        call_count: 1,
        error_count: 0,
        error_rate: 0,
        p95_latency_ms: 10,
      },
    ]);
    expect(nodeNames(body)).toEqual(['svc-a', 'svc-b']);
  });

  it('records the edge from OTLP spans too', async () => {
    const resource = (service: string) => resourceOf(service);
    const otlpChild = otlpSpan(T0, {
      traceId: TRACE_ID,
      spanId: child.span_id,
      parentSpanId: child.parent_span_id,
      kind: 2,
      startTimeUnixNano: at(T0, 10n * MS),
      endTimeUnixNano: at(T0, 20n * MS),
    });
    const otlpParent = otlpSpan(T0, {
      traceId: TRACE_ID,
      spanId: parent.span_id,
      kind: 3,
      endTimeUnixNano: at(T0, 30n * MS),
    });
    const post = (body: unknown) => postJson(`${server.url}/v1/traces`, body);
    await post(traceRequest([otlpChild], resource('svc-b')));
    await post(traceRequest([otlpParent], resource('svc-a')));

    const { body } = await topology('svc-a');

    expect(edgeNames(body)).toEqual(['svc-a>svc-b']);
    expect(body.edges[0].call_count).toBe(1);
  });
});

describe('GET /services/{service_id}/topology', () => {
  it('aggregates calls, errors and p95 per edge', async () => {
    await sendSpans([
      ...chain(['web', 'api'], { ms: 10n }),
      ...chain(['web', 'api'], { ms: 20n, error: true }),
      ...chain(['web', 'api'], { ms: 30n }),
      ...chain(['web', 'api'], { ms: 40n }),
    ]);

    const { body } = await topology('web');

    expect(body.edges).toEqual([
      {
        source: 'web',
        target: 'api',
        declared: false,
        observed: true,
        call_count: 4,
        error_count: 1,
        error_rate: 0.25,
        p95_latency_ms: 38.5,
      },
    ]);
  });

  it.each([
    ['', ['a', 'b', 'c']],
    ['?depth=1', ['a', 'b']],
    ['?depth=3', ['a', 'b', 'c', 'd']],
    ['?depth=5', ['a', 'b', 'c', 'd', 'e', 'f']],
  ])('walks downstream to the depth in %j', async (query, nodes) => {
    await sendSpans(chain(['a', 'b', 'c', 'd', 'e', 'f', 'g']));

    const { body } = await topology('a', query);

    expect(nodeNames(body)).toEqual(nodes);
  });

  it('walks upstream and downstream', async () => {
    await sendSpans(chain(['a', 'b', 'c', 'd', 'e']));

    const { body } = await topology('c', '?depth=1');

    expect(edgeNames(body)).toEqual(['b>c', 'c>d']);
    expect(body.nodes).toEqual([
      { name: 'c', registered: false, distance: 0 },
      { name: 'b', registered: false, distance: 1 },
      { name: 'd', registered: false, distance: 1 },
    ]);
    expect(body.depth).toBe(1);
  });

  it('shows a cycle without walking it forever', async () => {
    await sendSpans([...chain(['a', 'b']), ...chain(['b', 'a'])]);

    const { body } = await topology('a', '?depth=5');

    expect(edgeNames(body)).toEqual(['a>b', 'b>a']);
    expect(nodeNames(body)).toEqual(['a', 'b']);
  });

  it('merges declared dependencies with observed calls', async () => {
    await register({ name: 'web', dependencies: ['api', 'cache'] });
    await sendSpans([...chain(['web', 'api']), ...chain(['web', 'auth'])]);

    const { body } = await topology('web');
    const flags = body.edges.map((e: any) => [
      `${e.source}>${e.target}`,
      e.declared,
      e.observed,
      e.call_count,
    ]);

    expect(flags).toEqual([
      ['web>api', true, true, 1],
      ['web>auth', false, true, 1],
      ['web>cache', true, false, 0],
    ]);
    const cache = body.edges.find((e: any) => e.target === 'cache');
    expect(cache.error_rate).toBeNull();
    expect(cache.p95_latency_ms).toBeNull();
  });

  it('follows declared dependencies upstream', async () => {
    await register({ name: 'web', dependencies: ['api'] });
    await register({ name: 'api' });

    const { body } = await topology('api');

    expect(edgeNames(body)).toEqual(['web>api']);
    expect(body.nodes).toEqual([
      { name: 'api', registered: true, distance: 0 },
      { name: 'web', registered: true, distance: 1 },
    ]);
  });

  it('flags which nodes are registered', async () => {
    await register({ name: 'web' });
    await sendSpans(chain(['web', 'api']));

    const { body } = await topology('web');

    expect(body.nodes).toEqual([
      { name: 'web', registered: true, distance: 0 },
      { name: 'api', registered: false, distance: 1 },
    ]);
  });

  it('keeps to the window', async () => {
    await sendSpans(chain(['web', 'api'], { startMs: 0n }));

    const hour = await topology('web');
    const recent = await topology('web', '?window=5m');

    expect(hour.body.window).toBe('1h');
    expect(hour.body.start).toBe('2026-03-02T08:30:00.000Z');
    expect(edgeNames(hour.body)).toEqual(['web>api']);
    expect(recent.body.edges).toEqual([]);
  });

  it('returns 404 for a service neither registered nor seen', async () => {
    const response = await topology('ghost');

    expect(response.status).toBe(404);
    expect(response.body.error.message).toContain('ghost');
  });

  it.each([
    ['?depth=0', 'depth'],
    ['?depth=6', 'depth'],
    ['?depth=two', 'depth'],
    ['?depth=1.5', 'depth'],
    ['?window=1y', 'window'],
    ['?window=10d', 'window'],
    ['?direction=up', '(root)'],
  ])('rejects %s naming the field', async (query, path) => {
    await register({ name: 'web' });

    const response = await topology('web', query);

    expect(response.status).toBe(400);
    expect(response.body.error.details.map((d: any) => d.path)).toContain(path);
  });
});
