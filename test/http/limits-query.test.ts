import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '#shared/clock.js';
import {
  MAX_ATTRIBUTE_FILTERS,
  MAX_ATTRIBUTE_VALUE_BYTES,
  MAX_QUERY_RANGE_MS,
  MAX_RESPONSE_BYTES,
  MAX_SPAN_ATTRIBUTES,
} from '#shared/limits.js';
import { MAX_MATCHERS, MAX_QUERY_POINTS } from '#shared/metrics/query.js';
import {
  getJson,
  postJson,
  startTestServer,
  type TestServer,
} from '#test/support/server.js';

const T0_MS = Date.parse('2026-01-15T12:00:00Z');
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

let server: TestServer;
const api = (path: string) => `${server.url}/api/observatory${path}`;

/** Sends a read request: GET with a query string, or POST with a body. */
async function read(
  route: string,
  params: Record<string, string | number>,
): Promise<{ status: number; body: any }> {
  const [method, path] = route.split(' ') as [string, string];
  if (method === 'POST') return postJson(api(path), params);
  const query = new URLSearchParams(
    Object.entries(params).map(([name, value]): [string, string] => [
      name,
      String(value),
    ]),
  );
  return getJson(api(`${path}?${query}`));
}

beforeAll(async () => {
  server = await startTestServer({ clock: fixedClock(T0_MS) });
});

afterAll(async () => {
  await server.close();
});

const METRIC_QUERY = { service: 'checkout', metric_name: 'cpu.util' };

/** Every read route that takes a time range, with its other needs. */
const RANGED: [string, Record<string, string | number>][] = [
  ['POST /metrics/query', { ...METRIC_QUERY, interval: '1d' }],
  ['GET /metrics/statistics/checkout/cpu.util', {}],
  ['GET /traces/service/checkout', {}],
  ['GET /traces/service/checkout/statistics', {}],
  ['POST /logs/search', {}],
  ['GET /logs/service/checkout', {}],
  ['GET /logs/errors/checkout', {}],
  ['GET /logs/statistics/checkout', { interval: '1d' }],
];

describe('time range of read routes', () => {
  it.each(RANGED)('%s answers 400 above 31 days', async (route, extra) => {
    const response = await read(route, {
      ...extra,
      start: T0_MS - MAX_QUERY_RANGE_MS - 1_000,
      end: T0_MS,
    });

    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain('31 days');
  });

  it.each(RANGED)('%s accepts exactly 31 days', async (route, extra) => {
    const response = await read(route, {
      ...extra,
      start: T0_MS - MAX_QUERY_RANGE_MS,
      end: T0_MS,
    });

    expect([200, 404]).toContain(response.status);
  });

  it.each([
    ['GET /services/checkout', '8d'],
    ['GET /services/checkout/topology', '8d'],
  ])('%s answers 400 to a window of %s', async (route, window) => {
    await postJson(api('/services/register'), { name: 'checkout' });

    const response = await read(route, { window });

    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain('7d');
  });
});

/** Every paged or sized read, with the largest value it takes. */
const PAGED: [string, string, number][] = [
  ['GET /metrics/list/checkout', 'limit', 1_000],
  ['GET /traces/service/checkout', 'limit', 100],
  [`GET /traces/${TRACE_ID}/analyze`, 'limit', 100],
  ['POST /logs/search', 'limit', 1_000],
  ['GET /logs/service/checkout', 'limit', 1_000],
  ['GET /logs/errors/checkout', 'limit', 1_000],
  ['GET /services', 'limit', 200],
  ['GET /services/checkout/topology', 'depth', 5],
  ['GET /keys', 'limit', 100],
];

describe('page size of read routes', () => {
  it.each(PAGED)('%s answers 400 above %s %i', async (route, name, max) => {
    const response = await read(route, { [name]: max + 1 });

    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain(name);
    expect(JSON.stringify(response.body.error)).toContain(String(max));
  });

  it.each(PAGED)('%s accepts %s %i', async (route, name, max) => {
    const response = await read(route, { [name]: max });

    expect([200, 404]).toContain(response.status);
  });
});

describe('filters of read routes', () => {
  const filters = (count: number) =>
    Object.fromEntries(
      Array.from({ length: count }, (_, i) => [`k${i}`, `v${i}`]),
    );

  it('answers 400 above 16 attribute filters in a log search', async () => {
    const within = await postJson(api('/logs/search'), {
      attributes: filters(MAX_ATTRIBUTE_FILTERS),
    });
    const over = await postJson(api('/logs/search'), {
      attributes: filters(MAX_ATTRIBUTE_FILTERS + 1),
    });

    expect(within.status).toBe(200);
    expect(over.status).toBe(400);
    expect(over.body.error.message).toContain(String(MAX_ATTRIBUTE_FILTERS));
  });

  it('answers 400 above 16 attribute filters in a trace list', async () => {
    const query = (count: number) =>
      Object.entries(filters(count))
        .map(([key, value]) => `attr.${key}=${value}`)
        .join('&');

    const within = await getJson(
      api(`/traces/service/checkout?${query(MAX_ATTRIBUTE_FILTERS)}`),
    );
    const over = await getJson(
      api(`/traces/service/checkout?${query(MAX_ATTRIBUTE_FILTERS + 1)}`),
    );

    expect(within.status).toBe(200);
    expect(over.status).toBe(400);
    expect(over.body.error.message).toContain(String(MAX_ATTRIBUTE_FILTERS));
  });

  it('answers 400 above 32 label conditions in a metric query', async () => {
    const matchers = Array.from({ length: 16 }, (_, i) => ({
      label: `m${i}`,
      op: '=',
      value: 'x',
    }));
    const query = (labels: number) =>
      postJson(api('/metrics/query'), {
        ...METRIC_QUERY,
        matchers,
        labels: filters(labels),
      });

    const within = await query(MAX_MATCHERS - 16);
    const over = await query(MAX_MATCHERS - 15);

    expect(within.status).toBe(200);
    expect(over.status).toBe(400);
    expect(over.body.error.message).toContain(String(MAX_MATCHERS));
  });
});

describe('result size of read routes', () => {
  it('answers 400 when a trace would pass the response limit', async () => {
    const attributes = Object.fromEntries(
      Array.from({ length: MAX_SPAN_ATTRIBUTES }, (_, i) => [
        `attribute.${i}`,
        'x'.repeat(MAX_ATTRIBUTE_VALUE_BYTES),
      ]),
    );
    const spanBytes = MAX_SPAN_ATTRIBUTES * MAX_ATTRIBUTE_VALUE_BYTES;
    const spanCount = Math.ceil(MAX_RESPONSE_BYTES / spanBytes) + 1;
    for (let i = 0; i < spanCount; i += 1) {
      const sent = await postJson(api('/traces/spans/ingest'), {
        spans: [
          {
            trace_id: TRACE_ID,
            span_id: (i + 1).toString(16).padStart(16, '0'),
            service: 'checkout',
            name: 'GET /big',
            start_time: T0_MS - 2_000,
            end_time: T0_MS - 1_000,
            attributes,
          },
        ],
      });
      expect(sent.body.accepted).toBe(1);
    }

    const response = await getJson(api(`/traces/${TRACE_ID}`));
    const analysis = await getJson(api(`/traces/${TRACE_ID}/analyze`));

    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain(String(MAX_RESPONSE_BYTES));
    expect(analysis.status).toBe(200);
  });

  it('answers 400 when a metric query selects too many points', async () => {
    const series = 10;
    const perSeries = Math.ceil(MAX_QUERY_POINTS / series) + 1;
    const points = [];
    for (let s = 0; s < series; s += 1) {
      for (let i = 0; i < perSeries; i += 1) {
        points.push({
          service: 'checkout',
          name: 'requests.active',
          type: 'gauge',
          value: i,
          labels: { pod: `pod-${s}` },
          timestamp: T0_MS - (i + 1) * 1_000,
        });
      }
    }
    for (let start = 0; start < points.length; start += 10_000) {
      const batch = points.slice(start, start + 10_000);
      const sent = await postJson(api('/metrics/ingest/batch'), {
        points: batch,
      });
      expect(sent.body.rejected).toEqual([]);
    }

    const response = await postJson(api('/metrics/query'), {
      service: 'checkout',
      metric_name: 'requests.active',
      start: T0_MS - (perSeries + 1) * 1_000,
      end: T0_MS,
      interval: '1s',
      aggregation: 'max',
    });

    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain(String(MAX_QUERY_POINTS));
  });
});
