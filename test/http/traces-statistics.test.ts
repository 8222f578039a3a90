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
const DAY_MS = 86_400_000;

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer({ clock: fixedClock(NOW_MS) });
});
afterEach(() => server.close());

const ingest = (spans: object[]) =>
  postJson(`${server.url}/api/observatory/traces/spans/ingest`, { spans });
const statistics = (service: string, query = '') =>
  getJson(
    `${server.url}/api/observatory/traces/service/` +
      `${encodeURIComponent(service)}/statistics${query}`,
  );

let nextId = 0;

/** Builds a root span of `service` named `name`, lasting `durationMs` from T0. */
function request(
  service: string,
  name: string,
  durationMs: number,
  extra: object = {},
) {
  nextId += 1;
  return {
    trace_id: nextId.toString(16).padStart(32, 'b'),
    span_id: nextId.toString(16).padStart(16, 'c'),
    service,
    name,
    kind: 'server',
    start_time: T0_MS,
    end_time: T0_MS + durationMs,
    ...extra,
  };
}

const failed = { status: { code: 'error', message: 'HTTP 500' } };

describe('GET /traces/service/{service_id}/statistics', () => {
  beforeEach(async () => {
    await ingest([
      request('shop', 'GET /checkout', 10),
      request('shop', 'GET /checkout', 20, failed),
      request('shop', 'GET /checkout', 30),
      request('shop', 'GET /checkout', 40),
      request('shop', 'GET /cart', 100, { kind: 'internal' }),
      request('billing', 'charge', 5),
    ]);
  });

  it('counts requests and errors per operation', async () => {
    const { status, body } = await statistics('shop');

    expect(status).toBe(200);
    expect(body.service).toBe('shop');
    expect(body.start).toBe(new Date(NOW_MS - 3_600_000).toISOString());
    expect(body.end).toBe(new Date(NOW_MS).toISOString());
    expect(body.range_seconds).toBe(3600);
    const [checkout, cart] = body.operations;
    expect(checkout.operation).toBe('GET /checkout');
    expect(checkout.request_count).toBe(4);
    expect(checkout.requests_per_second).toBeCloseTo(4 / 3600, 12);
    expect(checkout.error_count).toBe(1);
    expect(checkout.error_rate).toBe(0.25);
    expect(cart.operation).toBe('GET /cart');
    expect(cart.request_count).toBe(1);
    expect(cart.error_rate).toBe(0);
  });

  it('returns latency percentiles per operation', async () => {
    const { body } = await statistics('shop');
    const latency = body.operations[0].latency_ms;

    // Four durations, 10 to 40 ms: h = 3q between closest ranks.
    expect(latency.min).toBe(10);
    expect(latency.max).toBe(40);
    expect(latency.mean).toBe(25);
    expect(latency.p50).toBeCloseTo(25, 9);
    expect(latency.p90).toBeCloseTo(37, 9);
    expect(latency.p95).toBeCloseTo(38.5, 9);
    expect(latency.p99).toBeCloseTo(39.7, 9);
    expect(body.operations[1].latency_ms.p99).toBe(100);
  });

  it('ranks all spans together in the total', async () => {
    const { body } = await statistics('shop');

    // [10, 20, 30, 40, 100] ms: h = 4q.
    expect(body.total.request_count).toBe(5);
    expect(body.total.error_count).toBe(1);
    expect(body.total.error_rate).toBe(0.2);
    expect(body.total.measured_count).toBe(5);
    expect(body.total.latency_ms.mean).toBe(40);
    expect(body.total.latency_ms.p50).toBeCloseTo(30, 9);
    expect(body.total.latency_ms.p90).toBeCloseTo(76, 9);
    expect(body.total.latency_ms.p99).toBeCloseTo(97.6, 9);
  });

  it('filters on span kinds', async () => {
    const { body } = await statistics('shop', '?span_kind=SERVER,consumer');

    expect(body.span_kinds).toEqual(['server', 'consumer']);
    expect(body.operations.map((o: any) => o.operation)).toEqual([
      'GET /checkout',
    ]);
    expect(body.total.request_count).toBe(4);
  });

  it('reads the range from start and end', async () => {
    const start = new Date(T0_MS + 1).toISOString();

    const { body } = await statistics('shop', `?start=${start}&end=${NOW_MS}`);

    expect(body.range_seconds).toBeCloseTo(599.999, 9);
    expect(body.total.request_count).toBe(0);
  });

  it('returns null rates and latency without spans', async () => {
    const { status, body } = await statistics('nobody');

    expect(status).toBe(200);
    expect(body.operations).toEqual([]);
    expect(body.total).toEqual({
      request_count: 0,
      requests_per_second: 0,
      error_count: 0,
      error_rate: null,
      measured_count: 0,
      latency_ms: {
        min: null,
        max: null,
        mean: null,
        p50: null,
        p90: null,
        p95: null,
        p99: null,
      },
    });
  });

  it.each([
    [`start=${NOW_MS}&end=${NOW_MS - 1}`, 'start', 'before end'],
    [`start=${NOW_MS}&end=${NOW_MS}`, 'start', 'before end'],
    [`start=${NOW_MS - 32 * DAY_MS}&end=${NOW_MS}`, 'start', '31 days'],
    ['start=yesterday', 'start', 'ISO 8601'],
    ['end=soon', 'end', 'ISO 8601'],
    ['span_kind=server,rpc', 'span_kind', 'rpc'],
  ])('answers 400 for %s', async (query, parameter, reason) => {
    const { status, body } = await statistics('shop', `?${query}`);

    expect(status).toBe(400);
    expect(body.error.message).toContain(parameter);
    expect(body.error.message).toContain(reason);
    expect(body.error.details[0].path).toBe(parameter);
  });

  it('answers 400 naming an unknown parameter', async () => {
    const { status, body } = await statistics('shop', '?service=shop');

    expect(status).toBe(400);
    expect(body.error.message).toContain('service');
  });

  it('accepts a range of exactly 31 days', async () => {
    const query = `?start=${NOW_MS - 31 * DAY_MS}&end=${NOW_MS}`;

    const { status, body } = await statistics('shop', query);

    expect(status).toBe(200);
    expect(body.total.request_count).toBe(5);
  });
});

describe('statistics with a duplicate span id', () => {
  const TRACE_ID = '5b8efff798038103d269b633813fc60c';
  const SPANS = [
    {
      trace_id: TRACE_ID,
      span_id: 'eee19b7ec3c1b174',
      service: 'svc-a',
      name: 'first',
      start_time: T0_MS,
      end_time: T0_MS + 40,
    },
    {
      trace_id: TRACE_ID,
      span_id: 'EEE19B7EC3C1B174',
      service: 'svc-a',
      name: 'second',
      start_time: T0_MS + 5,
      end_time: T0_MS + 45,
      status: { code: 'error', message: 'late copy' },
    },
    {
      trace_id: TRACE_ID,
      span_id: 'eee19b7ec3c1b175',
      parent_span_id: 'eee19b7ec3c1b174',
      service: 'svc-a',
      name: 'child',
      start_time: T0_MS + 10,
      end_time: T0_MS + 20,
    },
  ];

  it('counts the repeated span once', async () => {
    const sent = await ingest(SPANS);
    const { body } = await statistics('svc-a');

    expect(sent.body.accepted).toBe(2);
    expect(sent.body.rejected).toHaveLength(1);
    expect(body.total.request_count).toBe(2);
    expect(body.total.error_count).toBe(0);
    expect(body.operations.map((o: any) => o.operation).sort()).toEqual([
      'child',
      'first',
    ]);
    expect(body.operations.find((o: any) => o.operation === 'first')).toEqual(
      expect.objectContaining({
        request_count: 1,
        latency_ms: expect.objectContaining({ p50: 40, max: 40 }),
      }),
    );
  });

  it('changes nothing when the request is sent again', async () => {
    await ingest(SPANS);
    const before = await statistics('svc-a');

    const again = await ingest(SPANS);
    const after = await statistics('svc-a');

    expect(again.body.accepted).toBe(2);
    expect(after.body).toEqual(before.body);
    expect(after.body.total.request_count).toBe(2);
  });
});
