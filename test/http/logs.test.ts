import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '#shared/clock.js';
import { MAX_BATCH_ITEMS } from '#shared/limits.js';
import {
  AUTH,
  getJson,
  postJson,
  startTestServer,
  type TestServer,
} from '#test/support/server.js';

/** The injected "now"; every timestamp below is an offset from it. */
const T0_MS = Date.UTC(2026, 0, 15, 12, 0, 0);
const T0_ISO = new Date(T0_MS).toISOString();
const TRACE_ID = '7ca373f7c7e0f17df9965485593768ce';
const SPAN_ID = '46dfdbccdb1ddb89';

let server: TestServer;
let serviceCounter = 0;
/** A fresh service name per test, so tests never see each other's logs. */
let service: string;

const ingestUrl = () => `${server.url}/api/observatory/logs/ingest`;
const batchUrl = () => `${server.url}/api/observatory/logs/ingest/batch`;
const searchUrl = () => `${server.url}/api/observatory/logs/search`;
const traceUrl = (id: string) =>
  `${server.url}/api/observatory/logs/trace/${id}`;

function at(offsetMs: number): number {
  return T0_MS + offsetMs;
}

async function ingest(logs: unknown[]) {
  return postJson(batchUrl(), { logs });
}

async function search(body: Record<string, unknown> = {}) {
  return postJson(searchUrl(), { service, ...body });
}

async function searchMessages(body: Record<string, unknown> = {}) {
  const response = await search(body);
  expect(response.status).toBe(200);
  return (response.body.logs as { message: string }[]).map((l) => l.message);
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

describe('POST /logs/ingest', () => {
  it('stores one record and returns its id', async () => {
    const response = await postJson(ingestUrl(), {
      service,
      timestamp: at(-1_000),
      level: 'error',
      message: 'payment declined',
      trace_id: TRACE_ID.toUpperCase(),
      span_id: SPAN_ID,
      attributes: { 'http.status_code': 402, retry: false },
      resource: { 'service.version': '1.4.2' },
    });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ accepted: 1, rejected: [] });
    const { logs } = (await search()).body;
    expect(logs).toEqual([
      {
        log_id: response.body.log_id,
        timestamp: new Date(at(-1_000)).toISOString(),
        time_unix_nano: `${at(-1_000)}000000`,
        service,
        level: 'ERROR',
        severity_number: 17,
        severity_text: 'error',
        message: 'payment declined',
        trace_id: TRACE_ID,
        span_id: SPAN_ID,
        attributes: { 'http.status_code': 402, retry: false },
        resource: { 'service.version': '1.4.2' },
      },
    ]);
  });

  it('rejects an invalid record with 400 naming the field', async () => {
    const response = await postJson(ingestUrl(), {
      service,
      message: 'x',
      trace_id: 'abc',
    });

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_request');
    expect(response.body.error.details[0].path).toBe('trace_id');
    expect(response.body.error.message).toMatch(/32 hexadecimal digits/);
  });

  it.each<[string, unknown, string, string]>([
    [
      'a numeric message',
      { message: 123 },
      'message',
      'message: invalid message: expected a string; send other JSON ' +
        'values as body',
    ],
    [
      'a list of records',
      [],
      '(root)',
      'received an array; send one record, or send several to ' +
        '/api/observatory/logs/ingest/batch',
    ],
    [
      'a 300-character service',
      { service: 's'.repeat(300), message: 'x' },
      'service',
      'service: too long: 300 characters, above the limit of 256; shorten',
    ],
    [
      'a severity_number above 24',
      { message: 'x', severity_number: 30 },
      'severity_number',
      'invalid severity_number 30: expected a whole number from 0 to 24',
    ],
    [
      'a severity_number sent as text',
      { message: 'x', severity_number: '9' },
      'severity_number',
      'invalid severity_number "9": expected a whole number from 0 to 24',
    ],
    [
      'an empty id',
      { message: 'x', id: '' },
      'id',
      'id: is empty; send the id from the source, or omit id',
    ],
    [
      'a JSON string',
      '"hello"',
      '(root)',
      'invalid log record: expected an object such as',
    ],
  ])('explains the fix for %s', async (_name, body, path, fix) => {
    const record =
      body !== null && typeof body === 'object' && !Array.isArray(body)
        ? { service, ...body }
        : body;

    const response = await postJson(ingestUrl(), record);

    expect(response.status).toBe(400);
    expect(response.body.error.details[0].path).toBe(path);
    expect(response.body.error.message).toContain(fix);
  });

  it('rejects a timestamp outside the ingest window', async () => {
    const response = await postJson(ingestUrl(), {
      service,
      message: 'x',
      timestamp: at(-8 * 24 * 3_600_000),
    });

    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(/older than the accepted/);
  });

  it('uses the clock when the record has no time', async () => {
    await postJson(ingestUrl(), { service, message: 'now' });

    const { logs } = (await search()).body;
    expect(logs[0].timestamp).toBe(T0_ISO);
    expect(logs[0].time_unix_nano).toBe(`${T0_MS}000000`);
  });

  it('takes the service from resource service.name', async () => {
    await postJson(ingestUrl(), {
      message: 'from resource',
      resource: { 'service.name': service },
    });

    expect(await searchMessages()).toEqual(['from resource']);
  });
});

describe('POST /logs/ingest/batch', () => {
  it('stores valid records and reports invalid ones by index', async () => {
    const response = await ingest([
      { service, message: 'ok 1' },
      { service, message: 'bad id', span_id: SPAN_ID },
      { service, msg: 'typo' },
      { service, message: 'ok 2', timestamp: at(-2_000) },
      { service, message: 'future', timestamp: at(3_600_000) },
      { service, message: 'x'.repeat(256 * 1024 + 1) },
      'not an object',
      { service, message: 'bad level', level: 'loud' },
    ]);

    expect(response.status).toBe(200);
    expect(response.body.accepted).toBe(2);
    const rejected = response.body.rejected as {
      index: number;
      reason: string;
    }[];
    expect(rejected.map((r) => r.index)).toEqual([1, 2, 4, 5, 6, 7]);
    expect(rejected[0]?.reason).toMatch(/^trace_id: missing/);
    expect(rejected[1]?.reason).toMatch(/unknown field\(s\) msg/);
    expect(rejected[2]?.reason).toMatch(/in the future/);
    expect(rejected[3]?.reason).toMatch(/exceeds the limit of 262144 bytes/);
    expect(rejected[4]?.reason).toMatch(
      /^\(root\): invalid log record: expected an object/,
    );
    expect(rejected[5]?.reason).toMatch(/^level: invalid level "loud"/);
    expect(await searchMessages()).toEqual(['ok 1', 'ok 2']);
  });

  it.each<[string, unknown]>([
    ['a body that is not JSON', '{"logs": ['],
    ['a body without logs', {}],
    ['logs that are not a list', { logs: { message: 'x' } }],
    ['an unknown top-level field', { logs: [], extra: 1 }],
  ])('answers 400 for %s', async (_name, body) => {
    const response = await postJson(batchUrl(), body);

    expect(response.status).toBe(400);
    expect(response.body.error.message).toBeTruthy();
  });

  it.each<[string, unknown, string]>([
    ['a string', 'a line of text', 'received string'],
    ['null', null, 'received null'],
    ['a number', 7, 'received number'],
    ['a list', [{ message: 'x' }], 'received array'],
  ])('explains the fix for an item that is %s', async (_name, item, got) => {
    const response = await ingest([item]);

    expect(response.status).toBe(200);
    const reason = response.body.rejected[0].reason;
    expect(reason).toMatch(/^\(root\): invalid log record: expected an object/);
    expect(reason).toContain('{"service": "checkout", "message": "..."}');
    expect(reason).toContain(got);
  });

  it('explains the fix for a numeric message in a batch', async () => {
    const response = await ingest([{ service, message: 123 }]);

    expect(response.body.rejected[0].reason).toBe(
      'message: invalid message: expected a string; send other JSON ' +
        'values as body',
    );
  });

  it('answers 400 above the batch cap', async () => {
    const logs = Array.from({ length: MAX_BATCH_ITEMS + 1 }, () => ({}));

    const response = await postJson(batchUrl(), { logs });

    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(/split the batch/);
  });

  it('accepts an empty batch', async () => {
    const response = await ingest([]);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ accepted: 0, rejected: [] });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['epoch ms', { timestamp: at(-5) }, `${at(-5)}000000`],
    ['epoch ms text', { timestamp: String(at(-5)) }, `${at(-5)}000000`],
    [
      'ISO with nanoseconds',
      { timestamp: '2026-01-15T11:59:59.123456789Z' },
      `${at(-877)}456789`,
    ],
    [
      'ISO with an offset',
      { timestamp: '2026-01-15T13:59:59.5+02:00' },
      `${at(-500)}000000`,
    ],
    [
      'time_unix_nano',
      { time_unix_nano: `${at(-5)}000042` },
      `${at(-5)}000042`,
    ],
  ])('reads a time given as %s', async (_name, time, nanos) => {
    await ingest([{ service, message: 'timed', ...time }]);

    const { logs } = (await search()).body;
    expect(logs[0].time_unix_nano).toBe(nanos);
  });

  it('rejects time_unix_nano sent as a number', async () => {
    const response = await ingest([
      { service, message: 'x', time_unix_nano: 1 },
    ]);

    expect(response.body.rejected[0].reason).toMatch(/decimal string/);
  });
});

describe('dotted attribute keys', () => {
  it('reads back every key exactly as sent', async () => {
    const resource = {
      app: 'authserver',
      'app.kubernetes.io/name': 'authserver',
      'app.kubernetes.io/component': 'auth',
    };
    await ingest([
      { service, message: 'resource', timestamp: at(-3), resource },
    ]);
    await ingest([
      {
        service,
        message: 'source',
        timestamp: at(-2),
        attributes: { source: 'gateway' },
      },
    ]);
    await ingest([
      {
        service,
        message: 'address',
        timestamp: at(-1),
        attributes: { 'source.address': '10.0.0.1' },
      },
    ]);

    const { logs } = (await search()).body;

    expect(logs.map((log: any) => log.message)).toEqual([
      'address',
      'source',
      'resource',
    ]);
    expect(logs[0].attributes).toEqual({ 'source.address': '10.0.0.1' });
    expect(logs[1].attributes).toEqual({ source: 'gateway' });
    expect(logs[2].resource).toEqual(resource);
  });

  it('filters on a dotted key without matching its prefix', async () => {
    await ingest([
      {
        service,
        message: 'named',
        resource: { 'app.kubernetes.io/name': 'authserver' },
      },
      { service, message: 'plain', resource: { app: 'authserver' } },
    ]);

    const named = await searchMessages({
      attributes: { 'app.kubernetes.io/name': 'authserver' },
    });
    const plain = await searchMessages({ attributes: { app: 'authserver' } });

    expect(named).toEqual(['named']);
    expect(plain).toEqual(['plain']);
  });

  it('compares a numeric filter as text', async () => {
    await ingest([
      { service, message: '503', attributes: { 'http.status_code': 503 } },
      { service, message: '200', attributes: { 'http.status_code': 200 } },
    ]);

    const found = await searchMessages({
      attributes: { 'http.status_code': 503 },
    });

    expect(found).toEqual(['503']);
  });
});

describe('64-bit integers', () => {
  it('keeps integers above 2^53 exact end to end', async () => {
    const nanos = `${at(-1)}000001`;
    const body =
      `{"logs":[{"service":"${service}","message":"big",` +
      `"time_unix_nano":${nanos},` +
      '"attributes":{"bytes":9007199254740993,"small":-12}}]}';
    const stored = await postJson(batchUrl(), body);
    expect(stored.body).toEqual({ accepted: 1, rejected: [] });

    const response = await fetch(searchUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH },
      body: JSON.stringify({ service }),
    });
    const text = await response.text();

    expect(text).toContain(
      '"attributes":{"bytes":9007199254740993,"small":-12}',
    );
    expect(text).toContain(`"time_unix_nano":"${nanos}"`);
  });

  it('filters on an integer above 2^53 exactly', async () => {
    await ingest([
      { service, message: 'exact', attributes: { id: '9007199254740993' } },
      { service, message: 'rounded', attributes: { id: '9007199254740992' } },
    ]);

    const found = await postJson(
      searchUrl(),
      `{"service":"${service}","attributes":{"id":9007199254740993}}`,
    );

    expect(found.body.logs.map((log: any) => log.message)).toEqual(['exact']);
  });
});

describe('severity', () => {
  const cases: [number, string, string][] = [
    [17, '400', 'ERROR'],
    [9, '200', 'INFO'],
    [0, 'warning', 'WARN'],
    [13, '', 'WARN'],
    [0, '', 'UNSPECIFIED'],
  ];

  beforeEach(async () => {
    const logs = cases.map(([number, text], index) => ({
      service,
      timestamp: at(-index),
      message: `case ${index}`,
      severity_number: number,
      severity_text: text,
    }));
    const response = await ingest(logs);
    expect(response.body.accepted).toBe(cases.length);
  });

  it('normalizes level and keeps the text as sent', async () => {
    const { logs } = (await search()).body;
    const byMessage = new Map(logs.map((log: any) => [log.message, log]));

    for (const [index, [number, text, level]] of cases.entries()) {
      expect(byMessage.get(`case ${index}`)).toMatchObject({
        level,
        severity_number: number,
        severity_text: text,
      });
    }
  });

  it('filters "at least ERROR" on the normalized level', async () => {
    expect(await searchMessages({ min_level: 'error' })).toEqual(['case 0']);
  });

  it('never matches an unspecified record to a level', async () => {
    const found = await searchMessages({ min_level: 'TRACE' });

    expect(found.sort()).toEqual(['case 0', 'case 1', 'case 2', 'case 3']);
  });

  it('filters a range of levels', async () => {
    const found = await searchMessages({
      min_level: 'INFO',
      max_level: 'WARN',
    });

    expect(found.sort()).toEqual(['case 1', 'case 2', 'case 3']);
  });

  it('rejects min_level above max_level', async () => {
    const response = await search({ min_level: 'ERROR', max_level: 'INFO' });

    expect(response.status).toBe(400);
    expect(response.body.error.details[0].path).toBe('min_level');
  });
});

describe('idempotency', () => {
  it('stores a repeated batch once', async () => {
    const logs = [
      { service, message: 'one', timestamp: at(-2), trace_id: TRACE_ID },
      { service, message: 'two', timestamp: at(-1) },
    ];

    const first = await ingest(logs);
    const second = await ingest(logs);

    expect(first.body).toEqual({ accepted: 2, rejected: [] });
    expect(second.body).toEqual({ accepted: 2, rejected: [] });
    expect(await searchMessages()).toEqual(['two', 'one']);
  });

  it('stores a repeat inside one batch once', async () => {
    const log = { service, message: 'twice', timestamp: at(-1) };

    const response = await ingest([log, log]);

    expect(response.body.accepted).toBe(2);
    expect(await searchMessages()).toEqual(['twice']);
  });

  it('stores records that differ in time separately', async () => {
    await ingest([
      { service, message: 'tick', timestamp: at(-2) },
      { service, message: 'tick', timestamp: at(-1) },
    ]);

    expect(await searchMessages()).toEqual(['tick', 'tick']);
  });

  it('identifies a record by its source id', async () => {
    await postJson(ingestUrl(), { service, id: 'evt-1', message: 'first' });
    const again = await postJson(ingestUrl(), {
      service,
      id: 'evt-1',
      message: 'first, resent with a new body',
    });

    expect(again.body.log_id).toBe('evt-1');
    expect(await searchMessages()).toEqual(['first']);
  });
});

describe('POST /logs/search', () => {
  it('pages newest first without gaps or repeats', async () => {
    // Three records share each millisecond, so pages split ties.
    const logs = Array.from({ length: 25 }, (_, index) => ({
      service,
      message: `line ${index}`,
      timestamp: at(-Math.floor(index / 3)),
    }));
    await ingest(logs);

    const seen: string[] = [];
    const pageSizes: number[] = [];
    let cursor: string | undefined;
    do {
      const response = await search({ limit: 10, cursor });
      expect(response.status).toBe(200);
      seen.push(...response.body.logs.map((log: any) => log.message));
      pageSizes.push(response.body.logs.length);
      cursor = response.body.next_cursor;
    } while (cursor && pageSizes.length < 10);

    expect(pageSizes).toEqual([10, 10, 5]);
    expect(new Set(seen).size).toBe(25);
    const times = seen.map((line) =>
      Math.floor(Number(line.split(' ')[1]) / 3),
    );
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('rejects a cursor it did not issue', async () => {
    const response = await search({ cursor: 'not-a-cursor' });

    expect(response.status).toBe(400);
    expect(response.body.error.details[0].path).toBe('cursor');
  });

  it('searches the last hour by default', async () => {
    await ingest([
      { service, message: 'recent', timestamp: at(-60_000) },
      { service, message: 'earlier', timestamp: at(-2 * 3_600_000) },
    ]);

    expect(await searchMessages()).toEqual(['recent']);
    expect(
      await searchMessages({ start: at(-3 * 3_600_000), end: T0_ISO }),
    ).toEqual(['recent', 'earlier']);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a limit above 1000', { limit: 1001 }, 'limit'],
    ['a limit of 0', { limit: 0 }, 'limit'],
    ['start after end', { start: at(0), end: at(-1) }, 'start'],
    ['an unknown level', { min_level: 'loud' }, 'min_level'],
    ['a short trace id', { trace_id: '46dfdbccdb1ddb89' }, 'trace_id'],
    ['an unknown field', { text: 'x' }, '(root)'],
  ])('answers 400 for %s', async (_name, body, path) => {
    const response = await search(body);

    expect(response.status).toBe(400);
    expect(response.body.error.details[0].path).toBe(path);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a limit of 0', { limit: 0 }, 'limit: invalid limit 0: expected a whole'],
    ['a fractional limit', { limit: 1.5 }, 'limit 1.5: expected a whole'],
    ['a limit sent as text', { limit: '10' }, 'limit "10": expected a whole'],
    ['an empty service', { service: '' }, 'service: is empty; send the'],
  ])('explains the fix for %s', async (_name, body, fix) => {
    const response = await search(body);

    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain(fix);
  });

  it('explains the cap on a query over 1024 characters', async () => {
    const response = await search({ query: 'x'.repeat(1025) });

    expect(response.status).toBe(400);
    expect(response.body.error.details[0].path).toBe('query');
    expect(response.body.error.message).toContain(
      'query: too long: 1025 characters, above the limit of 1024; shorten ' +
        'the query',
    );
  });

  it('accepts a query of exactly 1024 characters', async () => {
    const response = await search({ query: 'x'.repeat(1024) });

    expect(response.status).toBe(200);
  });
});

describe('log search syntax', () => {
  const messages = [
    'Job 100% done',
    'Job 1000 done',
    'user_id=5 logged in',
    'userXid=5 logged in',
    'Connection refused by upstream',
    'connection reset by peer',
    'path C:\\data\\in can not be read',
  ];

  beforeEach(async () => {
    await ingest(
      messages.map((message, index) => ({
        service,
        message,
        timestamp: at(-index),
      })),
    );
  });

  it.each<[string, string[]]>([
    ['100%', ['Job 100% done']],
    ['user_id', ['user_id=5 logged in']],
    ['_', ['user_id=5 logged in']],
    ['%', ['Job 100% done']],
    ['C:\\data', ['path C:\\data\\in can not be read']],
    [
      'CONNECTION',
      ['Connection refused by upstream', 'connection reset by peer'],
    ],
    ['connection -reset', ['Connection refused by upstream']],
    ['"refused by"', ['Connection refused by upstream']],
    ['"by refused"', []],
    ['-"logged in" -connection -job', ['path C:\\data\\in can not be read']],
    ['"reset by', ['connection reset by peer']],
    ['job*', []],
  ])('applies %j', async (query, expected) => {
    const found = await searchMessages({ query });

    expect(found.sort()).toEqual([...expected].sort());
  });
});

describe('GET /logs/trace/{trace_id}', () => {
  it('lists the logs of a trace oldest first', async () => {
    const traceId = '1f2e3d4c5b6a79880123456789abcdef';
    const otherTrace = '9e2a3dc06074b17540d54de4e51e735f';
    await ingest([
      { service, message: 'second', timestamp: at(-1), trace_id: traceId },
      { service, message: 'first', timestamp: at(-9), trace_id: traceId },
      { service, message: 'other', timestamp: at(-5), trace_id: otherTrace },
    ]);

    const response = await getJson(traceUrl(traceId.toUpperCase()));

    expect(response.status).toBe(200);
    expect(response.body.trace_id).toBe(traceId);
    expect(response.body.truncated).toBe(false);
    expect(response.body.logs.map((log: any) => log.message)).toEqual([
      'first',
      'second',
    ]);
  });

  it.each([
    ['a 16-digit id', TRACE_ID.slice(16)],
    ['a non-hex id', 'z'.repeat(32)],
    ['an all-zero id', '0'.repeat(32)],
  ])('answers 400 for %s', async (_name, id) => {
    const response = await getJson(traceUrl(id));

    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(/invalid trace_id/);
  });
});
