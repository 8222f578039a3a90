import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '#shared/clock.js';
import {
  getJson,
  postJson,
  startTestServer,
  type TestServer,
} from '#test/support/server.js';

/** The clock of the server under test; T0 lies ten minutes before it. */
const NOW_MS = Date.parse('2026-03-02T09:30:00.000Z');
const T0_MS = NOW_MS - 600_000;
const TRACE_ID = '3c5d0a7e91b24f6d8e0f1a2b3c4d5e6f';

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer({ clock: fixedClock(NOW_MS) });
});
afterEach(() => server.close());

const ingest = (spans: object[]) =>
  postJson(`${server.url}/api/observatory/traces/spans/ingest`, { spans });
const analyze = (traceId: string, query = '') =>
  getJson(`${server.url}/api/observatory/traces/${traceId}/analyze${query}`);

/** Builds a span of TRACE_ID with id `n`, from `startMs` to `endMs` after T0. */
function span(
  n: number,
  parent: number | null,
  startMs: number,
  endMs: number,
  extra: object = {},
) {
  const id = (k: number) => k.toString(16).padStart(16, 'a');
  return {
    trace_id: TRACE_ID,
    span_id: id(n),
    parent_span_id: parent === null ? null : id(parent),
    start_time: T0_MS + startMs,
    end_time: T0_MS + endMs,
    ...extra,
  };
}

/**
 * A checkout: front [0,100] calls auth [10,30], then db [40,90] and cache
 * [45,60] in parallel. The cache call fails with an exception.
 */
const CHECKOUT = [
  span(1, null, 0, 100, { service: 'front', name: 'GET /checkout' }),
  span(2, 1, 10, 30, { service: 'auth', name: 'verify' }),
  span(3, 1, 40, 90, { service: 'db', name: 'SELECT orders' }),
  span(4, 1, 45, 60, {
    service: 'cache',
    name: 'GET cart',
    status: { code: 'error', message: 'miss storm' },
    events: [
      {
        name: 'exception',
        time: T0_MS + 59,
        attributes: {
          'exception.type': 'CacheError',
          'exception.message': 'too many misses',
        },
      },
    ],
  }),
];

describe('GET /traces/{trace_id}/analyze', () => {
  it('returns the critical path through parallel calls', async () => {
    await ingest(CHECKOUT);

    const { status, body } = await analyze(TRACE_ID);

    expect(status).toBe(200);
    expect(body.trace_id).toBe(TRACE_ID);
    expect(body.root_service).toBe('front');
    expect(body.span_count).toBe(4);
    expect(body.critical_path.duration_ms).toBe(100);
    expect(body.critical_path.spans.map((s: any) => s.service)).toEqual([
      'front',
      'auth',
      'db',
    ]);
    expect(
      body.critical_path.segments.map((s: any) => [s.service, s.duration_ms]),
    ).toEqual([
      ['front', 10],
      ['auth', 20],
      ['front', 10],
      ['db', 50],
      ['front', 10],
    ]);
    expect(body.critical_path.segments[3].start_time).toBe(
      new Date(T0_MS + 40).toISOString(),
    );
  });

  it('names the bottleneck and its service', async () => {
    await ingest(CHECKOUT);

    const { body } = await analyze(TRACE_ID);

    expect(body.bottleneck.service).toBe('db');
    expect(body.bottleneck.name).toBe('SELECT orders');
    expect(body.bottleneck.self_time_ms).toBe(50);
    expect(body.bottleneck.self_time_nano).toBe('50000000');
  });

  it('reports self time per service and span', async () => {
    await ingest(CHECKOUT);

    const { body } = await analyze(TRACE_ID);

    expect(
      body.self_time.services.map((s: any) => [s.service, s.self_time_ms]),
    ).toEqual([
      ['db', 50],
      ['front', 30],
      ['auth', 20],
      ['cache', 15],
    ]);
    expect(body.self_time.spans).toHaveLength(4);
  });

  it('lists the slowest spans up to limit', async () => {
    await ingest(CHECKOUT);

    const { body } = await analyze(TRACE_ID, '?limit=2');

    expect(
      body.slowest_spans.map((s: any) => [s.service, s.duration_ms]),
    ).toEqual([
      ['front', 100],
      ['db', 50],
    ]);
  });

  it('lists error spans with exceptions', async () => {
    await ingest(CHECKOUT);

    const { body } = await analyze(TRACE_ID);

    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].service).toBe('cache');
    expect(body.errors[0].status_message).toBe('miss storm');
    expect(body.errors[0].exceptions).toEqual([
      {
        type: 'CacheError',
        message: 'too many misses',
        stacktrace: null,
        time: new Date(T0_MS + 59).toISOString(),
        time_unix_nano: `${T0_MS + 59}000000`,
      },
    ]);
  });

  it('reports roots whose parent is missing', async () => {
    const orphan = span(9, 8, 20, 25, { service: 'mailer', name: 'send' });
    await ingest([...CHECKOUT, orphan]);

    const { body } = await analyze(TRACE_ID);

    expect(body.root_service).toBe('front');
    expect(body.analyzed_span_count).toBe(4);
    expect(body.span_count).toBe(5);
    expect(body.other_roots).toHaveLength(1);
    expect(body.other_roots[0].service).toBe('mailer');
    expect(body.other_roots[0].missing_parent).toBe(true);
    expect(body.other_roots[0].span_count).toBe(1);
  });

  it('reads a trace by its upper-case id', async () => {
    await ingest(CHECKOUT);

    const { status, body } = await analyze(TRACE_ID.toUpperCase());

    expect(status).toBe(200);
    expect(body.trace_id).toBe(TRACE_ID);
  });

  it('answers 404 for an unknown trace', async () => {
    const { status, body } = await analyze('4bf92f3577b34da6a3ce929d0e0e4736');

    expect(status).toBe(404);
    expect(body.error.message).toContain('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it.each([['not-a-trace'], ['4bf92f3577b34da6'], ['0'.repeat(32)]])(
    'answers 400 for trace id %s',
    async (traceId) => {
      const { status, body } = await analyze(traceId);

      expect(status).toBe(400);
      expect(body.error.details[0].path).toBe('trace_id');
    },
  );

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=many', 'limit'],
    ['depth=3', 'depth'],
  ])('answers 400 for %s', async (query, parameter) => {
    await ingest(CHECKOUT);

    const { status, body } = await analyze(TRACE_ID, `?${query}`);

    expect(status).toBe(400);
    expect(body.error.message).toContain(parameter);
  });

  it('leaves a service named analyze to the trace list', async () => {
    await ingest([span(1, null, 0, 10, { service: 'analyze', name: 'run' })]);

    const { status, body } = await getJson(
      `${server.url}/api/observatory/traces/service/analyze`,
    );

    expect(status).toBe(200);
    expect(body.service).toBe('analyze');
    expect(body.traces.map((t: any) => t.trace_id)).toEqual([TRACE_ID]);
  });
});
