import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '#shared/clock.js';
import {
  getJson,
  postJson,
  startTestServer,
  type TestServer,
} from '#test/support/server.js';

/** The server's clock; T0 is half an hour earlier. */
const NOW_MS = Date.parse('2026-03-02T09:30:00.000Z');
const T0 = NOW_MS - 1_800_000;
const iso = (ms: number) => new Date(ms).toISOString();

const SERVICE = 'checkout api';
const ODD_NAME = 'http/server duration';

let server: TestServer;

const statsPath = (service: string, metric: string, query = '') =>
  `${server.url}/api/observatory/metrics/statistics/` +
  `${encodeURIComponent(service)}/${encodeURIComponent(metric)}${query}`;

const listPath = (service: string, query = '') =>
  `${server.url}/api/observatory/metrics/list/` +
  `${encodeURIComponent(service)}${query}`;

const point = (name: string, value: number, offsetMs: number, labels = {}) => ({
  service: SERVICE,
  name,
  type: 'gauge',
  unit: 'ms',
  value,
  labels,
  timestamp: T0 + offsetMs,
});

beforeAll(async () => {
  server = await startTestServer({ clock: fixedClock(NOW_MS) });
  const values = [2, 4, 4, 4, 5, 5, 7, 9];
  const sent = await postJson(
    `${server.url}/api/observatory/metrics/ingest/batch`,
    {
      points: [
        ...values.map((v, i) => point(ODD_NAME, v, i * 1_000, { host: 'a' })),
        point('queue.depth', 3, 0, { queue: 'q1', host: 'b' }),
        point('cpu.util', 0.5, 60_000),
        {
          service: SERVICE,
          name: 'rpc.time',
          type: 'histogram',
          unit: 's',
          buckets: { bounds: [1, 10], counts: [1, 2, 1] },
          count: 4,
          sum: 20,
          min: 0.5,
          max: 20,
          temporality: 'delta',
          timestamp: T0,
        },
      ],
    },
  );
  expect(sent.body).toEqual({ accepted: 11, rejected: [] });
});
afterAll(() => server.close());

describe('GET metrics/statistics', () => {
  it('describes raw values over the default hour', async () => {
    const read = await getJson(statsPath(SERVICE, ODD_NAME));

    expect(read.status).toBe(200);
    expect(read.body).toEqual({
      service: SERVICE,
      metric_name: ODD_NAME,
      start: iso(NOW_MS - 3_600_000),
      end: iso(NOW_MS),
      type: 'gauge',
      unit: 'ms',
      count: 8,
      min: 2,
      max: 9,
      mean: 5,
      stddev: 2,
      p50: 4.5,
      p95: expect.closeTo(8.3, 12),
      p99: expect.closeTo(8.86, 12),
    });
  });

  it('reads only the requested range', async () => {
    const query = `?start=${iso(T0)}&end=${T0 + 3_000}`;

    const read = await getJson(statsPath(SERVICE, ODD_NAME, query));

    expect(read.body.start).toBe(iso(T0));
    expect(read.body.end).toBe(iso(T0 + 3_000));
    expect(read.body.count).toBe(3);
    expect(read.body.max).toBe(4);
  });

  it('describes a histogram from its buckets with a note', async () => {
    const read = await getJson(statsPath(SERVICE, 'rpc.time'));

    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      type: 'histogram',
      unit: 's',
      count: 4,
      mean: 5,
      min: 0.5,
      max: 20,
      stddev: null,
      p50: 5.5,
    });
    expect(read.body.note).toContain('stddev');
  });

  it.each<[string, string, string]>([
    ['an unknown metric', SERVICE, 'no.such.metric'],
    ['an unknown service', 'no-such-service', ODD_NAME],
  ])('answers 404 for %s', async (_case, service, metric) => {
    const read = await getJson(statsPath(service, metric));

    expect(read.status).toBe(404);
    expect(read.body.error.code).toBe('not_found');
    expect(read.body.error.message).toContain(metric);
  });

  it('answers 404 when the range has no points', async () => {
    const query = `?start=${iso(NOW_MS - 60_000)}`;

    const read = await getJson(statsPath(SERVICE, ODD_NAME, query));

    expect(read.status).toBe(404);
  });

  it.each<[string, string, string]>([
    ['start after end', `?start=${NOW_MS}&end=${T0}`, 'start'],
    ['an empty range', `?start=${T0}&end=${T0}`, 'start'],
    ['a range over 31 days', `?start=${NOW_MS - 32 * 86_400_000}`, 'start'],
    ['a start that is no time', '?start=yesterday', 'start'],
    ['an end that is no time', '?end=soon', 'end'],
  ])('answers 400 for %s naming %s', async (_case, query, path) => {
    const read = await getJson(statsPath(SERVICE, ODD_NAME, query));

    expect(read.status).toBe(400);
    expect(read.body.error.details[0].path).toBe(path);
    expect(read.body.error.message).toContain(path);
  });
});

describe('GET metrics/list', () => {
  it('lists metrics by name with type, unit and label keys', async () => {
    const read = await getJson(listPath(SERVICE));

    expect(read.status).toBe(200);
    expect(read.body).toEqual({
      service: SERVICE,
      metrics: [
        {
          name: 'cpu.util',
          type: 'gauge',
          unit: 'ms',
          label_keys: [],
          last_seen: iso(T0 + 60_000),
        },
        {
          name: ODD_NAME,
          type: 'gauge',
          unit: 'ms',
          label_keys: ['host'],
          last_seen: iso(T0 + 7_000),
        },
        {
          name: 'queue.depth',
          type: 'gauge',
          unit: 'ms',
          label_keys: ['host', 'queue'],
          last_seen: iso(T0),
        },
        {
          name: 'rpc.time',
          type: 'histogram',
          unit: 's',
          label_keys: [],
          last_seen: iso(T0),
        },
      ],
    });
  });

  it('pages with limit and next_cursor', async () => {
    const first = await getJson(listPath(SERVICE, '?limit=3'));
    const cursor = encodeURIComponent(first.body.next_cursor);
    const second = await getJson(
      listPath(SERVICE, `?limit=3&cursor=${cursor}`),
    );

    expect(first.body.metrics.map((m: any) => m.name)).toEqual([
      'cpu.util',
      ODD_NAME,
      'queue.depth',
    ]);
    expect(second.body.metrics.map((m: any) => m.name)).toEqual(['rpc.time']);
    expect(second.body).not.toHaveProperty('next_cursor');
  });

  it('returns an empty list for an unknown service', async () => {
    const read = await getJson(listPath('no-such-service'));

    expect(read.status).toBe(200);
    expect(read.body).toEqual({ service: 'no-such-service', metrics: [] });
  });

  it.each<[string, string]>([
    ['?limit=0', 'limit'],
    ['?limit=many', 'limit'],
    ['?limit=1001', 'limit'],
    ['?cursor=garbage', 'cursor'],
  ])('answers 400 for %s naming %s', async (query, path) => {
    const read = await getJson(listPath(SERVICE, query));

    expect(read.status).toBe(400);
    expect(read.body.error.details[0].path).toBe(path);
  });
});
