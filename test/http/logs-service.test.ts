import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '#shared/clock.js';
import {
  getJson,
  postJson,
  startTestServer,
  type TestServer,
} from '#test/support/server.js';

/** The injected "now"; every timestamp below is an offset from it. */
const T0_MS = Date.UTC(2026, 0, 15, 12, 0, 0);
const DAY_MS = 86_400_000;

let server: TestServer;
let serviceCounter = 0;
/** A fresh service name per test, so tests never see each other's logs. */
let service: string;

type Params = Record<string, string | number>;

function at(offsetMs: number): number {
  return T0_MS + offsetMs;
}

function routeUrl(route: string, name: string, params: Params = {}): string {
  const query = new URLSearchParams(
    Object.fromEntries(
      Object.entries(params).map(([key, value]) => [key, String(value)]),
    ),
  );
  const path = `/api/observatory/logs/${route}/${encodeURIComponent(name)}`;
  return `${server.url}${path}?${query}`;
}

async function ingest(logs: Record<string, unknown>[]) {
  const response = await postJson(
    `${server.url}/api/observatory/logs/ingest/batch`,
    { logs: logs.map((log) => ({ service, ...log })) },
  );
  expect(response.body).toEqual({ accepted: logs.length, rejected: [] });
}

async function list(route: 'service' | 'errors', params: Params = {}) {
  const response = await getJson(routeUrl(route, service, params));
  expect(response.status).toBe(200);
  return response.body as {
    logs: { message: string; level: string }[];
    next_cursor?: string;
  };
}

async function messages(route: 'service' | 'errors', params: Params = {}) {
  return (await list(route, params)).logs.map((log) => log.message);
}

/** Follows next_cursor to the end; returns the messages and page sizes. */
async function readAllPages(route: 'service' | 'errors', params: Params) {
  const seen: string[] = [];
  const sizes: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await list(route, cursor ? { ...params, cursor } : params);
    seen.push(...page.logs.map((log) => log.message));
    sizes.push(page.logs.length);
    cursor = page.next_cursor;
  } while (cursor && sizes.length < 20);
  return { seen, sizes };
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

describe('GET /logs/service/{service_id}', () => {
  it('lists the last hour of the service, newest first', async () => {
    await ingest([
      { message: 'middle', timestamp: at(-30_000) },
      { message: 'newest', timestamp: at(-1_000) },
      { message: 'oldest', timestamp: at(-3_599_000) },
      { message: 'too old', timestamp: at(-3_601_000) },
      { message: 'other service', service: 'elsewhere' },
    ]);

    expect(await messages('service')).toEqual(['newest', 'middle', 'oldest']);
  });

  it.each([
    ['a slash', 'team/checkout'],
    ['a space and a percent sign', 'checkout 100%'],
    ['non-ASCII letters', 'zahlung-über'],
  ])('decodes a service id with %s', async (_name, name) => {
    service = `${name}-${serviceCounter}`;
    await ingest([{ message: 'found' }]);

    expect(await messages('service')).toEqual(['found']);
  });

  it.each<[string, Params]>([
    ['ISO 8601', { start: '2026-01-14T11:00:00Z', end: '2026-01-14T13:00Z' }],
    [
      'epoch milliseconds',
      { start: at(-DAY_MS - 3_600_000), end: at(-DAY_MS + 3_600_000) },
    ],
  ])('reads start and end as %s', async (_name, params) => {
    await ingest([
      { message: 'yesterday', timestamp: at(-DAY_MS) },
      { message: 'today', timestamp: at(-1) },
    ]);

    expect(await messages('service', params)).toEqual(['yesterday']);
  });

  it('includes a record at the end millisecond', async () => {
    await ingest([{ message: 'at end', timestamp: at(-5_000) }]);

    const found = await messages('service', { end: at(-5_000) });

    expect(found).toEqual(['at end']);
  });

  it('filters by level bounds and the search query', async () => {
    await ingest([
      { message: 'card expired', level: 'warn', timestamp: at(-4) },
      { message: 'card expired, retry', level: 'error', timestamp: at(-3) },
      { message: 'Card Expired', level: 'error', timestamp: at(-2) },
      { message: 'card expired', level: 'fatal', timestamp: at(-1) },
      { message: 'card expired', level: 'info', timestamp: at(0) },
    ]);

    const found = await list('service', {
      min_level: 'warn',
      max_level: 'ERROR',
      query: '"card expired" -retry',
    });

    expect(found.logs.map((log) => log.level)).toEqual(['ERROR', 'WARN']);
  });

  it('pages without gaps or repeats', async () => {
    // Three records share each millisecond, so pages split ties.
    await ingest(
      Array.from({ length: 25 }, (_, index) => ({
        message: `line ${index}`,
        timestamp: at(-Math.floor(index / 3)),
      })),
    );

    const { seen, sizes } = await readAllPages('service', { limit: 10 });

    expect(sizes).toEqual([10, 10, 5]);
    expect(new Set(seen).size).toBe(25);
    const ages = seen.map((line) => Math.floor(Number(line.slice(5)) / 3));
    expect(ages).toEqual([...ages].sort((a, b) => a - b));
  });

  it('returns 100 records when no limit is given', async () => {
    await ingest(
      Array.from({ length: 101 }, (_, index) => ({
        message: `line ${index}`,
        timestamp: at(-index),
      })),
    );

    const page = await list('service');

    expect(page.logs).toHaveLength(100);
    expect(page.next_cursor).toBeDefined();
  });

  it('returns an empty list for an unknown service', async () => {
    const page = await list('service');

    expect(page).toEqual({ logs: [] });
  });
});

describe('GET /logs/errors/{service_id}', () => {
  it('lists ERROR and FATAL records only', async () => {
    const levels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
    await ingest([
      ...levels.map((level, index) => ({
        level,
        message: level,
        timestamp: at(-10 + index),
      })),
      { message: 'unspecified', severity_number: 0, timestamp: at(-1) },
      { message: 'text 500', severity_text: '500', timestamp: at(-1) },
    ]);

    const page = await list('errors');

    expect(page.logs.map((log) => log.message)).toEqual(['fatal', 'error']);
    expect(page.logs.map((log) => log.level)).toEqual(['FATAL', 'ERROR']);
  });

  it('pages through errors without gaps or repeats', async () => {
    // Errors and warnings alternate, two per millisecond.
    await ingest(
      Array.from({ length: 24 }, (_, index) => ({
        message: `${index % 2 ? 'warn' : 'error'} ${index}`,
        level: index % 2 ? 'warn' : 'error',
        timestamp: at(-Math.floor(index / 2)),
      })),
    );

    const { seen, sizes } = await readAllPages('errors', { limit: 5 });

    expect(sizes).toEqual([5, 5, 2]);
    expect(new Set(seen).size).toBe(12);
    expect(seen.every((line) => line.startsWith('error '))).toBe(true);
  });

  it('searches within the errors', async () => {
    await ingest([
      { message: 'payment timeout', level: 'error', timestamp: at(-3) },
      { message: 'payment declined', level: 'error', timestamp: at(-2) },
      { message: 'payment timeout', level: 'warn', timestamp: at(-1) },
    ]);

    const found = await messages('errors', { query: 'TIMEOUT' });

    expect(found).toEqual(['payment timeout']);
  });

  it('returns an empty list for an unknown service', async () => {
    expect(await list('errors')).toEqual({ logs: [] });
  });
});

describe('response size', () => {
  const MESSAGE_BYTES = 200 * 1024;
  const TRACE_ID = '1f2e3d4c5b6a79880123456789abcdef';

  /** Stores 20 records of about 200 KiB, 4 MB in all, in two batches. */
  async function ingestLargeRecords() {
    for (const batch of [0, 1]) {
      await ingest(
        Array.from({ length: 10 }, (_, index) => ({
          message: `${batch * 10 + index} ${'x'.repeat(MESSAGE_BYTES)}`,
          timestamp: at(-(batch * 10 + index)),
          trace_id: TRACE_ID,
        })),
      );
    }
  }

  it('ends a page early above 2.5 MiB', async () => {
    await ingestLargeRecords();

    const first = await list('service', { limit: 1000 });
    const { seen, sizes } = await readAllPages('service', { limit: 1000 });

    expect(first.logs.length).toBeLessThan(20);
    expect(first.next_cursor).toBeDefined();
    expect(sizes.length).toBeGreaterThan(1);
    expect(new Set(seen).size).toBe(20);
  });

  it('truncates trace logs above 2.5 MiB', async () => {
    await ingestLargeRecords();

    const response = await getJson(
      `${server.url}/api/observatory/logs/trace/${TRACE_ID}`,
    );

    expect(response.status).toBe(200);
    expect(response.body.truncated).toBe(true);
    expect(response.body.logs.length).toBeGreaterThan(0);
    expect(response.body.logs.length).toBeLessThan(20);
    expect(JSON.stringify(response.body.logs).length).toBeLessThanOrEqual(
      2.5 * 1024 * 1024,
    );
  });
});

describe('bad input', () => {
  const THIRTY_TWO_DAYS = 32 * DAY_MS;

  it.each<[string, 'service' | 'errors', Params, string]>([
    ['start after end', 'service', { start: at(0), end: at(-1) }, 'start'],
    [
      'a range over 31 days',
      'service',
      { start: at(-THIRTY_TWO_DAYS) },
      'start',
    ],
    ['an unreadable start', 'service', { start: 'yesterday' }, 'start'],
    ['an unreadable end', 'service', { end: '2026-13-45' }, 'end'],
    ['a limit of 0', 'service', { limit: 0 }, 'limit'],
    ['a limit above 1000', 'service', { limit: 1001 }, 'limit'],
    ['a limit that is not a number', 'service', { limit: 'ten' }, 'limit'],
    ['a fractional limit', 'service', { limit: '2.5' }, 'limit'],
    ['a cursor not issued', 'service', { cursor: 'not-a-cursor' }, 'cursor'],
    ['an unknown level', 'service', { min_level: 'loud' }, 'min_level'],
    [
      'min_level above max_level',
      'service',
      { min_level: 'error', max_level: 'info' },
      'min_level',
    ],
    ['start after end', 'errors', { start: at(0), end: at(-1) }, 'start'],
    [
      'a range over 31 days',
      'errors',
      { end: at(0), start: at(-THIRTY_TWO_DAYS) },
      'start',
    ],
    ['a limit above 1000', 'errors', { limit: 5000 }, 'limit'],
    ['a cursor not issued', 'errors', { cursor: 'WyJ4IiwieSJd' }, 'cursor'],
  ])('answers 400 for %s on %s', async (_name, route, params, path) => {
    const response = await getJson(routeUrl(route, service, params));

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_request');
    expect(response.body.error.details[0].path).toBe(path);
    expect(response.body.error.message).toContain(path);
  });

  it.each<['service' | 'errors', Params, string]>([
    ['service', { lvl: 'error' }, 'lvl'],
    ['errors', { min_level: 'warn' }, 'min_level'],
  ])(
    'answers 400 for an unknown parameter on %s',
    async (route, params, name) => {
      const response = await getJson(routeUrl(route, service, params));

      expect(response.status).toBe(400);
      expect(response.body.error.message).toMatch(
        new RegExp(`unknown query parameter\\(s\\) ${name};`),
      );
    },
  );

  it.each<'service' | 'errors'>(['service', 'errors'])(
    'explains the cap on a long query on %s',
    async (route) => {
      const params = { query: 'x'.repeat(1025) };

      const response = await getJson(routeUrl(route, service, params));

      expect(response.status).toBe(400);
      expect(response.body.error.details[0].path).toBe('query');
      expect(response.body.error.message).toContain(
        'above the limit of 1024; shorten the query',
      );
    },
  );

  it('accepts a range of exactly 31 days', async () => {
    const response = await getJson(
      routeUrl('service', service, { start: at(-31 * DAY_MS), end: at(0) }),
    );

    expect(response.status).toBe(200);
  });
});
