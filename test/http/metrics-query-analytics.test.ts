import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '#shared/clock.js';
import {
  postJson,
  startTestServer,
  type TestServer,
} from '#test/support/server.js';

/** The server's clock; T0 is half an hour earlier, on a minute boundary. */
const NOW_MS = Date.parse('2026-03-02T09:30:00.000Z');
const T0 = NOW_MS - 1_800_000;
const iso = (ms: number) => new Date(ms).toISOString();

let server: TestServer;

const post = (path: string, body: unknown) =>
  postJson(`${server.url}/api/observatory/metrics${path}`, body);

const cpu = (host: string, zone: string, value: number, offsetMs = 0) => ({
  service: 'api',
  name: 'cpu.util',
  type: 'gauge',
  value,
  unit: '1',
  labels: { host, zone },
  timestamp: T0 + offsetMs,
});

const latency = (counts: number[], offsetMs: number) => ({
  service: 'api',
  name: 'http.duration',
  type: 'histogram',
  unit: 's',
  buckets: { bounds: [0.1, 1], counts },
  count: counts.reduce((a, b) => a + b, 0),
  sum: 2,
  min: 0.01,
  max: 3,
  temporality: 'delta',
  timestamp: T0 + offsetMs,
});

beforeAll(async () => {
  server = await startTestServer({ clock: fixedClock(NOW_MS) });
  const sent = await post('/ingest/batch', {
    points: [
      cpu('host-a', 'z1', 1),
      cpu('host-a', 'z1', 2, 10_000),
      cpu('host-b', 'z1', 3),
      cpu('host-c', 'z2', 10),
      cpu('host-c', 'z2', 20, 10_000),
      latency([1, 2, 1], 0),
      latency([0, 1, 1], 20_000),
    ],
  });
  expect(sent.body).toEqual({ accepted: 7, rejected: [] });
});
afterAll(() => server.close());

/** Queries `metric` of `api` over the 30 minutes from T0 in one bucket. */
const query = (body: Record<string, unknown>, metric = 'cpu.util') =>
  post('/query', {
    service: 'api',
    metric_name: metric,
    start: T0,
    end: NOW_MS,
    interval: '30m',
    ...body,
  });

const valuesOf = (body: any) =>
  body.series.map((s: any) => [s.labels, s.points[0].value]);

describe('POST metrics/query percentiles', () => {
  it('takes p50 of raw values per series', async () => {
    const read = await query({ aggregation: 'p50' });

    expect(read.status).toBe(200);
    expect(valuesOf(read.body)).toEqual([
      [{ host: 'host-a', zone: 'z1' }, 1.5],
      [{ host: 'host-b', zone: 'z1' }, 3],
      [{ host: 'host-c', zone: 'z2' }, 15],
    ]);
  });

  it('interpolates a histogram for p90', async () => {
    // Counts [1, 3, 2] over [0.01, 0.1], (0.1, 1], (1, 3]: rank 5.4.
    const read = await query({ aggregation: 'p90' }, 'http.duration');

    expect(read.body.series[0].points).toEqual([
      { timestamp: iso(T0), value: expect.closeTo(1 + 2 * 0.7, 12) },
    ]);
  });
});

describe('POST metrics/query group_by', () => {
  it('aggregates across series and echoes group_by', async () => {
    const read = await query({ aggregation: 'max', group_by: ['zone'] });

    expect(read.status).toBe(200);
    expect(read.body.group_by).toEqual(['zone']);
    expect(valuesOf(read.body)).toEqual([
      [{ zone: 'z1' }, 3],
      [{ zone: 'z2' }, 20],
    ]);
  });

  it('takes a percentile across a group', async () => {
    const read = await query({ aggregation: 'p50', group_by: ['zone'] });

    // z1 contains 1, 2 and 3, and z2 contains 10 and 20.
    expect(valuesOf(read.body)).toEqual([
      [{ zone: 'z1' }, 2],
      [{ zone: 'z2' }, 15],
    ]);
  });

  it('merges everything into one series for an empty list', async () => {
    const read = await query({ aggregation: 'count', group_by: [] });

    expect(valuesOf(read.body)).toEqual([[{}, 5]]);
  });

  it('leaves group_by out of the answer when not sent', async () => {
    const read = await query({ aggregation: 'count' });

    expect(read.body).not.toHaveProperty('group_by');
  });
});

describe('POST metrics/query rate', () => {
  it('counts histogram observations per second', async () => {
    const read = await query({ aggregation: 'rate' }, 'http.duration');

    // Delta histograms of 4 and 2 observations in 1,800 s.
    expect(read.body.series[0].points[0].value).toBeCloseTo(6 / 1_800, 15);
  });
});

describe('POST metrics/query bad input', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['an unknown aggregation', { aggregation: 'p42' }, 'aggregation'],
    ['rate of a gauge', { aggregation: 'rate' }, 'aggregation'],
    ['increase of a gauge', { aggregation: 'increase' }, 'aggregation'],
    ['group_by as a string', { group_by: 'zone' }, 'group_by'],
    ['an empty label in group_by', { group_by: ['zone', ''] }, 'group_by[1]'],
    [
      'a repeated label in group_by',
      { group_by: ['zone', 'zone'] },
      'group_by',
    ],
    ['start after end', { start: NOW_MS, end: T0 }, 'start'],
  ])('answers 400 for %s naming %s', async (_case, body, path) => {
    const read = await query(body);

    expect(read.status).toBe(400);
    expect(read.body.error.details[0].path).toBe(path);
    expect(read.body.error.message).toContain(path.replace(/\[\d+\]$/, ''));
  });
});
