import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '#shared/clock.js';
import {
  getJson,
  postJson,
  startTestServer,
  type TestServer,
} from '#test/support/server.js';

/** The injected "now", 12:00 UTC; timestamps below are offsets from it. */
const T0_MS = Date.UTC(2026, 0, 15, 12, 0, 0);
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const ALL_LEVELS = [
  'TRACE',
  'DEBUG',
  'INFO',
  'WARN',
  'ERROR',
  'FATAL',
  'UNSPECIFIED',
];

let server: TestServer;
let serviceCounter = 0;
/** A fresh service name per test, so tests never see each other's logs. */
let service: string;

type Params = Record<string, string | number>;

interface Bucket {
  timestamp: string;
  total: number;
  counts: Record<string, number>;
}

function at(offsetMs: number): number {
  return T0_MS + offsetMs;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Level counts with every level at zero except those given. */
function counts(nonZero: Record<string, number> = {}) {
  return Object.fromEntries(
    ALL_LEVELS.map((level) => [level, nonZero[level] ?? 0]),
  );
}

function statisticsUrl(name: string, params: Params = {}): string {
  const query = new URLSearchParams(
    Object.fromEntries(
      Object.entries(params).map(([key, value]) => [key, String(value)]),
    ),
  );
  const path = `/api/observatory/logs/statistics/${encodeURIComponent(name)}`;
  return `${server.url}${path}?${query}`;
}

async function ingest(logs: Record<string, unknown>[]) {
  const response = await postJson(
    `${server.url}/api/observatory/logs/ingest/batch`,
    { logs: logs.map((log) => ({ service, ...log })) },
  );
  expect(response.body).toEqual({ accepted: logs.length, rejected: [] });
}

async function statistics(params: Params = {}) {
  const response = await getJson(statisticsUrl(service, params));
  expect(response.status).toBe(200);
  return response.body as {
    service: string;
    start: string;
    end: string;
    interval_seconds: number;
    total: number;
    counts: Record<string, number>;
    buckets: Bucket[];
  };
}

beforeAll(async () => {
  server = await startTestServer({ clock: fixedClock(T0_MS) });
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  serviceCounter += 1;
  service = `svc-${serviceCounter}`;
});

describe('GET /logs/statistics/{service_id}', () => {
  it('counts every level over the range, zeros included', async () => {
    await ingest([
      { level: 'info', message: 'a', timestamp: at(-5_000) },
      { level: 'info', message: 'b', timestamp: at(-4_000) },
      { level: 'error', message: 'c', timestamp: at(-3_000) },
      { severity_text: '500', message: 'd', timestamp: at(-2_000) },
      { level: 'fatal', message: 'e', timestamp: at(-1_000) },
      { level: 'info', message: 'too old', timestamp: at(-2 * 3_600_000) },
      { level: 'info', message: 'elsewhere', service: 'other' },
    ]);

    const body = await statistics();

    expect(body.service).toBe(service);
    expect(body.total).toBe(5);
    expect(body.counts).toEqual(
      counts({ INFO: 2, ERROR: 1, FATAL: 1, UNSPECIFIED: 1 }),
    );
    expect(Object.keys(body.counts).sort()).toEqual([...ALL_LEVELS].sort());
  });

  it('aligns buckets to the interval in UTC and fills gaps', async () => {
    await ingest([
      { level: 'warn', message: 'first', timestamp: at(-9 * MINUTE_MS) },
      { level: 'error', message: 'last', timestamp: at(0) },
      {
        level: 'info',
        message: 'before start',
        timestamp: at(-10 * MINUTE_MS),
      },
    ]);

    // Start at 11:50:30, end at 12:00:00 inclusive, five-minute buckets.
    const body = await statistics({
      start: iso(at(-9.5 * MINUTE_MS)),
      end: iso(at(0)),
      interval: '5m',
    });

    expect(body.interval_seconds).toBe(300);
    expect(body.buckets).toEqual([
      {
        timestamp: '2026-01-15T11:50:00.000Z',
        total: 1,
        counts: counts({ WARN: 1 }),
      },
      { timestamp: '2026-01-15T11:55:00.000Z', total: 0, counts: counts() },
      {
        timestamp: '2026-01-15T12:00:00.000Z',
        total: 1,
        counts: counts({ ERROR: 1 }),
      },
    ]);
    expect(body.total).toBe(2);
  });

  it('aligns day buckets to midnight UTC', async () => {
    await ingest([{ level: 'info', message: 'today', timestamp: at(-1) }]);

    const body = await statistics({
      start: iso(at(-2 * DAY_MS)),
      interval: '1d',
    });

    expect(body.buckets.map((bucket) => bucket.timestamp)).toEqual([
      '2026-01-13T00:00:00.000Z',
      '2026-01-14T00:00:00.000Z',
      '2026-01-15T00:00:00.000Z',
    ]);
    expect(body.buckets.map((bucket) => bucket.total)).toEqual([0, 0, 1]);
  });

  it('reads an interval given in seconds', async () => {
    await ingest([{ level: 'info', message: 'x', timestamp: at(-1) }]);

    const inSeconds = await statistics({ interval: 300 });
    const asDuration = await statistics({ interval: '5m' });

    expect(inSeconds.interval_seconds).toBe(300);
    expect(inSeconds.buckets).toEqual(asDuration.buckets);
  });

  it.each<[string, Params, number, number]>([
    ['the default hour', {}, 60, 61],
    ['a day', { start: iso(at(-DAY_MS)) }, 1_800, 49],
    ['31 days', { start: iso(at(-31 * DAY_MS)) }, 86_400, 32],
    ['ten minutes', { start: iso(at(-10 * MINUTE_MS)) }, 10, 61],
  ])(
    'picks a default interval for %s',
    async (_name, params, seconds, length) => {
      const body = await statistics(params);

      expect(body.interval_seconds).toBe(seconds);
      expect(body.buckets).toHaveLength(length);
    },
  );

  it('counts the same records as the service list', async () => {
    await ingest(
      Array.from({ length: 30 }, (_, index) => ({
        level: ['debug', 'info', 'warn'][index % 3],
        message: `line ${index}`,
        timestamp: at(-index * 97_000),
      })),
    );

    const body = await statistics();
    const listed = await getJson(
      `${server.url}/api/observatory/logs/service/${service}?limit=1000`,
    );

    expect(body.total).toBe(listed.body.logs.length);
    expect(body.buckets.reduce((sum, b) => sum + b.total, 0)).toBe(body.total);
  });

  it('counts only records matching the query', async () => {
    await ingest([
      { level: 'error', message: 'upstream timeout', timestamp: at(-3) },
      { level: 'warn', message: 'Timeout, retrying', timestamp: at(-2) },
      { level: 'error', message: 'disk full', timestamp: at(-1) },
    ]);

    const body = await statistics({ query: 'timeout' });

    expect(body.counts).toEqual(counts({ ERROR: 1, WARN: 1 }));
  });

  it('returns zero buckets for an unknown service', async () => {
    const body = await statistics({ interval: '15m' });

    expect(body.total).toBe(0);
    expect(body.counts).toEqual(counts());
    expect(body.buckets).toHaveLength(5);
    expect(body.buckets.every((bucket) => bucket.total === 0)).toBe(true);
  });

  it('decodes the service id from the path', async () => {
    service = `team/checkout ${serviceCounter}`;
    await ingest([{ level: 'info', message: 'x', timestamp: at(-1) }]);

    expect((await statistics()).total).toBe(1);
  });
});

describe('GET /logs/statistics/{service_id} bad input', () => {
  it.each<[string, Params, string]>([
    ['start after end', { start: at(0), end: at(-1) }, 'start'],
    ['a range over 31 days', { start: at(-32 * DAY_MS) }, 'start'],
    ['an unreadable start', { start: 'last week' }, 'start'],
    ['an interval of 0', { interval: '0' }, 'interval'],
    ['an interval with no number', { interval: 'm' }, 'interval'],
    ['a fractional interval', { interval: '1.5m' }, 'interval'],
    ['an unknown unit', { interval: '5w' }, 'interval'],
    ['a negative interval', { interval: '-60' }, 'interval'],
  ])('answers 400 for %s', async (_name, params, path) => {
    const response = await getJson(statisticsUrl(service, params));

    expect(response.status).toBe(400);
    expect(response.body.error.details[0].path).toBe(path);
    expect(response.body.error.message).toContain(path);
  });

  it('answers 400 above the bucket limit, stating it', async () => {
    // One-second buckets over the default hour make 3,601 buckets.
    const response = await getJson(statisticsUrl(service, { interval: '1s' }));

    expect(response.status).toBe(400);
    expect(response.body.error.details[0].path).toBe('interval');
    expect(response.body.error.message).toMatch(
      /3601 buckets .* above the limit of 1440; use an interval of at least 3s/,
    );
  });

  it('accepts the suggested minimum interval', async () => {
    const response = await getJson(statisticsUrl(service, { interval: '3s' }));

    expect(response.status).toBe(200);
    expect(response.body.buckets.length).toBeLessThanOrEqual(1_440);
  });

  it('answers 400 for a paging parameter', async () => {
    const response = await getJson(statisticsUrl(service, { limit: 10 }));

    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(
      /unknown query parameter\(s\) limit;/,
    );
  });
});
