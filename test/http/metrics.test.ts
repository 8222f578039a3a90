import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '#shared/clock.js';
import { MAX_BATCH_ITEMS } from '#shared/limits.js';
import {
  postJson,
  startTestServer,
  type TestServer,
} from '#test/support/server.js';

/** The server's clock; T0 is half an hour earlier, on a minute boundary. */
const NOW_MS = Date.parse('2026-03-02T09:30:00.000Z');
const T0 = NOW_MS - 1_800_000;
const iso = (ms: number) => new Date(ms).toISOString();

const INGEST = '/api/observatory/metrics/ingest';
const BATCH = '/api/observatory/metrics/ingest/batch';
const QUERY = '/api/observatory/metrics/query';

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer({ clock: fixedClock(NOW_MS) });
});
afterEach(() => server.close());

const post = (path: string, body: unknown) =>
  postJson(`${server.url}${path}`, body);

const cpu = (host: string, value: number, timestamp: number | string = T0) => ({
  service: 'api',
  name: 'cpu.util',
  type: 'gauge',
  value,
  unit: '1',
  labels: { host },
  timestamp,
});

/** Queries `cpu.util` of `api` over the hour before the clock. */
const queryCpu = (body: Record<string, unknown> = {}) =>
  post(QUERY, { service: 'api', metric_name: 'cpu.util', ...body });

describe('POST metrics/ingest', () => {
  it('stores one point and returns the report', async () => {
    const sent = await post(INGEST, cpu('host-a', 0.5));
    const read = await queryCpu();

    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({ accepted: 1, rejected: [] });
    expect(read.body.series).toEqual([
      {
        labels: { host: 'host-a' },
        points: [{ timestamp: iso(T0), value: 0.5 }],
      },
    ]);
  });

  it('stamps a point without timestamp with the clock', async () => {
    const { timestamp: _, ...point } = cpu('host-a', 0.5);

    await post(INGEST, point);
    const read = await queryCpu({ start: NOW_MS - 60_000, end: NOW_MS + 1 });

    expect(read.body.series[0].points).toEqual([
      { timestamp: iso(NOW_MS), value: 0.5 },
    ]);
  });

  it.each<[string, string, string]>([
    ['malformed JSON', '{"service": "api",', 'body'],
    ['an empty body', '', 'body'],
    [
      'a string value',
      JSON.stringify({ ...cpu('a', 0), value: '0.5' }),
      'value',
    ],
    [
      'a missing name',
      JSON.stringify({ ...cpu('a', 0), name: undefined }),
      'name',
    ],
    [
      'an overflowing value',
      '{"service":"api","name":"x","type":"gauge","value":1e999}',
      'value',
    ],
    [
      'an unknown type',
      JSON.stringify({ ...cpu('a', 0), type: 'meter' }),
      'type',
    ],
    [
      'an old timestamp',
      JSON.stringify(cpu('a', 0, NOW_MS - 8 * 86_400_000)),
      'timestamp',
    ],
    [
      'a future timestamp',
      JSON.stringify(cpu('a', 0, NOW_MS + 3_600_000)),
      'timestamp',
    ],
  ])('rejects %s naming %s', async (_case, body, path) => {
    const sent = await post(INGEST, body);

    expect(sent.status).toBe(400);
    expect(sent.body.error.code).toBe('invalid_request');
    expect(sent.body.error.details[0].path).toBe(path);
    expect(sent.body.error.message).toContain(path);
  });

  it('rejects a different value for a stored point with 409', async () => {
    await post(INGEST, cpu('host-a', 0.5));

    const sent = await post(INGEST, cpu('host-a', 0.7));
    const read = await queryCpu();

    expect(sent.status).toBe(409);
    expect(sent.body.error.code).toBe('conflict');
    expect(sent.body.error.message).toContain('value 0.5');
    expect(read.body.series[0].points[0].value).toBe(0.5);
  });

  it('accepts the same point again without storing it twice', async () => {
    await post(INGEST, cpu('host-a', 0.5));

    const again = await post(INGEST, cpu('host-a', 0.5));
    const read = await queryCpu({ aggregation: 'count' });

    expect(again.body).toEqual({ accepted: 1, rejected: [] });
    expect(read.body.series[0].points[0].value).toBe(1);
  });
});

describe('POST metrics/ingest/batch', () => {
  it('stores valid points and reports invalid ones by index', async () => {
    const sent = await post(BATCH, {
      points: [
        cpu('host-a', 0.5),
        { ...cpu('host-b', 0.1), value: 'high' },
        cpu('host-c', 0.2),
        cpu('host-d', 0.3, NOW_MS + 3_600_000),
        'not a point',
        {
          service: 'api',
          name: 'http.duration',
          type: 'histogram',
          buckets: { bounds: [1, 0.5], counts: [1, 1, 1] },
          count: 3,
          sum: 2,
          timestamp: T0,
        },
      ],
    });
    const read = await queryCpu();

    expect(sent.status).toBe(200);
    expect(sent.body.accepted).toBe(2);
    expect(sent.body.rejected.map((r: any) => r.index)).toEqual([1, 3, 4, 5]);
    expect(sent.body.rejected[0].reason).toMatch(/^value: /);
    expect(sent.body.rejected[1].reason).toMatch(/^timestamp: .*future/);
    expect(sent.body.rejected[2].reason).toMatch(/^point: /);
    expect(sent.body.rejected[3].reason).toMatch(/^buckets\.bounds: /);
    expect(read.body.series.map((s: any) => s.labels.host)).toEqual([
      'host-a',
      'host-c',
    ]);
  });

  it('names conflicts by their request index', async () => {
    const sent = await post(BATCH, {
      points: [{}, cpu('host-a', 0.5), cpu('host-a', 0.7)],
    });

    expect(sent.body.accepted).toBe(1);
    expect(sent.body.rejected.map((r: any) => r.index)).toEqual([0, 2]);
    expect(sent.body.rejected[1].reason).toContain('point 1 of this batch');
  });

  it.each<[string, string, string]>([
    ['malformed JSON', '{"points": [', 'body'],
    ['no points field', '{"items": []}', 'points'],
    ['points not an array', '{"points": {"a": 1}}', 'points'],
    ['a bare array', '[]', 'points'],
    ['null', 'null', 'points'],
  ])('answers 400 for %s', async (_case, body, path) => {
    const sent = await post(BATCH, body);

    expect(sent.status).toBe(400);
    expect(sent.body.error.details[0].path).toBe(path);
  });

  it('accepts an empty batch', async () => {
    const sent = await post(BATCH, { points: [] });

    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({ accepted: 0, rejected: [] });
  });

  it('rejects a batch above the item limit', async () => {
    const points = new Array(MAX_BATCH_ITEMS + 1).fill(0);

    const sent = await post(BATCH, { points });

    expect(sent.status).toBe(413);
    expect(sent.body.error.message).toContain(`${MAX_BATCH_ITEMS}`);
  });

  it('accepts a batch at the item limit', async () => {
    const points = Array.from({ length: MAX_BATCH_ITEMS }, (_, i) =>
      cpu(`host-${i % 100}`, i, T0 + Math.floor(i / 100) * 1_000),
    );

    const sent = await post(BATCH, { points });

    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({ accepted: MAX_BATCH_ITEMS, rejected: [] });
  });
});

describe('same series twice in one request', () => {
  const request = {
    points: [cpu('host-a', 0.5), cpu('host-a', 0.7), cpu('host-b', 0.3)],
  };

  it('keeps the first host-a value and stores host-b', async () => {
    const sent = await post(BATCH, request);
    const read = await queryCpu();

    expect(sent.body.accepted).toBe(2);
    expect(sent.body.rejected).toHaveLength(1);
    expect(sent.body.rejected[0].index).toBe(1);
    expect(sent.body.rejected[0].reason).toContain('value 0.5');
    expect(read.body.series).toEqual([
      {
        labels: { host: 'host-a' },
        points: [{ timestamp: iso(T0), value: 0.5 }],
      },
      {
        labels: { host: 'host-b' },
        points: [{ timestamp: iso(T0), value: 0.3 }],
      },
    ]);
  });

  it('changes nothing when the request is sent again', async () => {
    const first = await post(BATCH, request);
    const before = await queryCpu({ aggregation: 'count' });

    const second = await post(BATCH, request);
    const after = await queryCpu({ aggregation: 'count' });
    const values = await queryCpu();

    expect(second.body).toEqual(first.body);
    expect(after.body).toEqual(before.body);
    expect(after.body.series.map((s: any) => s.points[0].value)).toEqual([
      1, 1,
    ]);
    expect(values.body.series.map((s: any) => s.points[0].value)).toEqual([
      0.5, 0.3,
    ]);
  });
});

describe('counter reset by a new start time', () => {
  const run = (offsetMs: number, value = 1) => ({
    service: 'batch',
    name: 'job.runs',
    type: 'counter',
    temporality: 'cumulative',
    value,
    labels: { job: 'nightly' },
    start_timestamp: iso(T0 + offsetMs),
    timestamp: iso(T0 + offsetMs + 5_000),
  });
  const queryRuns = (aggregation: string) =>
    post(QUERY, {
      service: 'batch',
      metric_name: 'job.runs',
      start: iso(T0),
      end: iso(T0 + 1_800_000),
      interval: '1h',
      aggregation,
    });

  it('stores each run as its own series', async () => {
    for (const offset of [0, 600_000, 1_200_000]) {
      const sent = await post(INGEST, run(offset));
      expect(sent.body).toEqual({ accepted: 1, rejected: [] });
    }
    const sum = await queryRuns('sum');

    expect(sum.body.series[0].points[0].value).toBe(3);
  });

  it('tells series apart by start time at one timestamp', async () => {
    const first = await post(INGEST, {
      ...run(0, 4),
      timestamp: iso(T0 + 900_000),
    });
    const second = await post(INGEST, {
      ...run(600_000, 1),
      timestamp: iso(T0 + 900_000),
    });
    const count = await queryRuns('count');

    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(count.body.series[0].points[0].value).toBe(2);
  });
});

describe('POST metrics/query', () => {
  beforeEach(async () => {
    await post(BATCH, {
      points: [
        cpu('host-a', 0.2, T0),
        cpu('host-a', 0.4, T0 + 30_000),
        cpu('host-a', 0.9, T0 + 60_000),
        { ...cpu('host-b', 0.1, T0), labels: { host: 'host-b', zone: 'z1' } },
        {
          service: 'api',
          name: 'http.duration',
          type: 'histogram',
          buckets: { bounds: [0.1, 1], counts: [1, 2, 1] },
          count: 4,
          sum: 3,
          min: 0.05,
          max: 2.5,
          timestamp: T0,
          temporality: 'delta',
        },
        {
          service: 'api',
          name: 'http.duration',
          type: 'histogram',
          buckets: { bounds: [0.1, 1], counts: [0, 1, 1] },
          count: 2,
          sum: 3,
          timestamp: T0 + 10_000,
          temporality: 'delta',
        },
      ],
    });
  });

  it('returns one point per non-empty bucket with ISO times', async () => {
    const read = await queryCpu({ labels: { host: 'host-a' } });

    expect(read.status).toBe(200);
    expect(read.body.series).toHaveLength(1);
    expect(read.body.series[0].points).toEqual([
      { timestamp: '2026-03-02T09:00:00.000Z', value: 0.30000000000000004 },
      { timestamp: '2026-03-02T09:01:00.000Z', value: 0.9 },
    ]);
  });

  it('echoes the resolved range and interval', async () => {
    const read = await queryCpu({ interval: '5m', aggregation: 'max' });

    expect(read.body.start).toBe('2026-03-02T08:30:00.000Z');
    expect(read.body.end).toBe('2026-03-02T09:30:00.000Z');
    expect(read.body.interval_seconds).toBe(300);
    expect(read.body.aggregation).toBe('max');
    expect(read.body.series[0].points).toEqual([
      { timestamp: iso(T0), value: 0.9 },
    ]);
  });

  it.each<[string, unknown, string[]]>([
    ['=', [{ label: 'host', op: '=', value: 'host-b' }], ['host-b']],
    ['!=', [{ label: 'host', op: '!=', value: 'host-b' }], ['host-a']],
    [
      '=~',
      [{ label: 'host', op: '=~', value: 'host-.' }],
      ['host-a', 'host-b'],
    ],
    ['partial =~', [{ label: 'host', op: '=~', value: 'host' }], []],
    ['!~', [{ label: 'zone', op: '!~', value: 'z.*' }], ['host-a']],
  ])('filters with %s', async (_op, matchers, hosts) => {
    const read = await queryCpu({ matchers });

    expect(read.status).toBe(200);
    expect(read.body.series.map((s: any) => s.labels.host)).toEqual(hosts);
  });

  it('treats a quoted label value as data', async () => {
    const read = await queryCpu({ labels: { host: "' OR 1=1 --" } });

    expect(read.status).toBe(200);
    expect(read.body.series).toEqual([]);
  });

  it.each<[string, number]>([
    ['avg', 1],
    ['sum', 6],
    ['count', 6],
    ['min', 0.05],
    ['max', 2.5],
  ])(
    'computes histogram %s from sums and counts',
    async (aggregation, value) => {
      const read = await post(QUERY, {
        service: 'api',
        metric_name: 'http.duration',
        aggregation,
      });

      expect(read.body.series[0].points).toEqual([
        { timestamp: iso(T0), value },
      ]);
    },
  );

  it.each<[string, Record<string, unknown>, string]>([
    ['malformed JSON', {}, 'body'],
    ['a missing metric name', { metric_name: undefined }, 'metric_name'],
    ['an unknown aggregation', { aggregation: 'median' }, 'aggregation'],
    ['a bad interval', { interval: 'often' }, 'interval'],
    [
      'an unknown operator',
      { matchers: [{ label: 'a', op: '==', value: 'b' }] },
      'matchers[0].op',
    ],
    [
      'a broken regex',
      { matchers: [{ label: 'a', op: '=~', value: '(' }] },
      'matchers[0].value',
    ],
    [
      'lookahead, which RE2 lacks',
      { matchers: [{ label: 'host', op: '=~', value: 'host(?=-a)' }] },
      'matchers[0].value',
    ],
    [
      'too many buckets',
      { start: NOW_MS - 86_400_000, interval: '1s' },
      'interval',
    ],
    ['start after end', { start: NOW_MS, end: NOW_MS - 1 }, 'start'],
  ])('answers 400 for %s', async (name, body, path) => {
    const sent =
      name === 'malformed JSON'
        ? await post(QUERY, '{"service":')
        : await queryCpu(body);

    expect(sent.status).toBe(400);
    expect(sent.body.error.details[0].path).toBe(path);
  });
});
