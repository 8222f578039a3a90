import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '#shared/clock.js';
import { MAX_BATCH_ITEMS } from '#shared/limits.js';
import {
  AUTH,
  getJson,
  postJson,
  startTestServer,
  type TestServer,
} from '#test/support/server.js';

/** The clock of the server under test; T0 lies ten minutes before it. */
const NOW_MS = Date.parse('2026-03-02T09:30:00.000Z');
const T0_MS = NOW_MS - 600_000;
const T0 = BigInt(T0_MS) * 1_000_000n;
const ns = (offset: bigint) => (T0 + offset).toString();
const MS = 1_000_000n;

const SPANS = '/api/observatory/traces/spans/ingest';
const TRACE = '/api/observatory/traces/ingest';

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer({ clock: fixedClock(NOW_MS) });
});
afterEach(() => server.close());

const post = (path: string, body: unknown) =>
  postJson(`${server.url}${path}`, body);
const getTrace = (id: string) =>
  getJson(`${server.url}/api/observatory/traces/${id}`);
const list = (service: string, query = '') =>
  getJson(
    `${server.url}/api/observatory/traces/service/` +
      `${encodeURIComponent(service)}${query}`,
  );

describe('orphan then parent', () => {
  const TRACE_ID = '7ca373f7c7e0f17df9965485593768ce';
  const child = {
    trace_id: TRACE_ID,
    span_id: '46dfdbccdb1ddb89',
    parent_span_id: '82a3dd7705c4527d',
    service: 'svc-b',
    name: 'SELECT orders',
    kind: 'client',
    start_time_unix_nano: ns(10n * MS),
    end_time_unix_nano: ns(20n * MS),
  };
  const parent = {
    span_id: '82a3dd7705c4527d',
    service: 'svc-a',
    name: 'GET /orders',
    kind: 'server',
    start_time_unix_nano: ns(0n),
    end_time_unix_nano: ns(30n * MS),
  };

  it('shows the orphan as a root missing its parent', async () => {
    const sent = await post(SPANS, { spans: [child] });
    const trace = await getTrace(TRACE_ID);

    expect(sent.body).toEqual({ accepted: 1, rejected: [] });
    expect(trace.status).toBe(200);
    expect(trace.body.span_count).toBe(1);
    expect(trace.body.root_span_id).toBe('46dfdbccdb1ddb89');
    expect(trace.body.spans).toHaveLength(1);
    expect(trace.body.spans[0].missing_parent).toBe(true);
  });

  it('hangs the orphan under its parent once it arrives', async () => {
    await post(SPANS, { spans: [child] });
    const sent = await post(TRACE, { trace_id: TRACE_ID, spans: [parent] });
    const { body } = await getTrace(TRACE_ID);

    expect(sent.body).toEqual({ accepted: 1, rejected: [] });
    expect(body.span_count).toBe(2);
    expect(body.spans).toHaveLength(1);
    expect(body.root_span_id).toBe('82a3dd7705c4527d');
    expect(body.root_service).toBe('svc-a');
    expect(body.duration_ms).toBe(30);
    expect(body.duration_nano).toBe('30000000');
    expect(body.start_time).toBe(new Date(T0_MS).toISOString());
    expect(body.start_time_unix_nano).toBe(T0.toString());
    expect(body.services).toEqual(['svc-a', 'svc-b']);
    expect(body.spans[0].missing_parent).toBe(false);
    expect(body.spans[0].children.map((s: any) => s.span_id)).toEqual([
      '46dfdbccdb1ddb89',
    ]);
    expect(body.spans[0].children[0].missing_parent).toBe(false);
  });

  it('rejects reading a 16-digit trace id', async () => {
    await post(SPANS, { spans: [child] });

    const response = await getTrace(TRACE_ID.slice(16));

    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain('trace_id');
    expect(response.body.error.message).toContain(TRACE_ID.slice(16));
  });

  it('rejects ingesting a 16-digit trace id', async () => {
    const short = { ...child, trace_id: TRACE_ID.slice(16) };

    const sent = await post(SPANS, { spans: [short] });

    expect(sent.status).toBe(200);
    expect(sent.body.accepted).toBe(0);
    expect(sent.body.rejected).toEqual([
      { index: 0, reason: expect.stringContaining('trace_id') },
    ]);
    expect(sent.body.rejected[0].reason).toContain('32 hexadecimal digits');
  });
});

describe('duplicate span id', () => {
  const TRACE_ID = '5b8efff798038103d269b633813fc60c';
  const request = {
    spans: [
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
      },
      {
        trace_id: TRACE_ID,
        span_id: 'eee19b7ec3c1b175',
        parent_span_id: 'eee19b7ec3c1b174',
        service: 'svc-b',
        name: 'child',
        start_time: T0_MS + 10,
        end_time: T0_MS + 20,
      },
    ],
  };

  it('keeps the first span and rejects the second', async () => {
    const sent = await post(SPANS, request);
    const { body } = await getTrace(TRACE_ID);

    expect(sent.body.accepted).toBe(2);
    expect(sent.body.rejected).toEqual([
      { index: 1, reason: expect.stringContaining('eee19b7ec3c1b174') },
    ]);
    expect(body.span_count).toBe(2);
    expect(body.spans).toHaveLength(1);
    expect(body.spans[0].name).toBe('first');
    expect(body.spans[0].children[0].name).toBe('child');
  });

  it('changes nothing when the request is sent again', async () => {
    const first = await post(SPANS, request);
    const before = await getTrace(TRACE_ID);
    const listed = await list('svc-a');

    const second = await post(SPANS, request);
    const after = await getTrace(TRACE_ID);
    const relisted = await list('svc-a');

    expect(second.body).toEqual(first.body);
    expect(after.body).toEqual(before.body);
    expect(relisted.body).toEqual(listed.body);
    expect(relisted.body.traces).toHaveLength(1);
    expect(relisted.body.traces[0].span_count).toBe(2);
  });
});

describe('clock skew', () => {
  const TRACE_ID = 'c0ffee00c0ffee00c0ffee00c0ffee00';
  const span = (spanId: string, start: bigint, end: string) => ({
    span_id: spanId,
    service: 'svc-a',
    name: spanId,
    start_time_unix_nano: ns(start),
    end_time_unix_nano: end,
  });

  async function ingestAndRead() {
    const sent = await post(TRACE, {
      trace_id: TRACE_ID,
      spans: [
        span('0000000000000001', 100n * MS, ns(50n * MS)),
        span('0000000000000002', 0n, '0'),
        span('0000000000000003', 1n, ns(2n)),
      ],
    });
    const { body } = await getTrace(TRACE_ID);
    const byId = new Map(body.spans.map((s: any) => [s.span_id, s]));
    return { sent, body, byId: (id: string): any => byId.get(id) };
  }

  it('keeps an end before the start with raw times', async () => {
    const { sent, byId } = await ingestAndRead();
    const skewed = byId('0000000000000001');

    expect(sent.body).toEqual({ accepted: 3, rejected: [] });
    expect(skewed.start_time_unix_nano).toBe(ns(100n * MS));
    expect(skewed.end_time_unix_nano).toBe(ns(50n * MS));
    expect(skewed.duration_nano).toBe('0');
    expect(skewed.duration_ms).toBe(0);
    expect(skewed.clock_skew).toBe(true);
  });

  it('marks an end of zero incomplete', async () => {
    const { byId } = await ingestAndRead();
    const open = byId('0000000000000002');

    expect(open.duration_nano).toBe('0');
    expect(open.incomplete).toBe(true);
    expect(open.clock_skew).toBe(false);
    expect(open.end_time_unix_nano).toBe('0');
    expect(open.end_time).toBeNull();
  });

  it('measures a one-nanosecond span exactly', async () => {
    const { byId } = await ingestAndRead();
    const tiny = byId('0000000000000003');

    expect(tiny.duration_nano).toBe('1');
    expect(tiny.duration_ms).toBe(0.000001);
    expect(tiny.start_time_unix_nano).toBe(ns(1n));
  });

  it('measures the trace without the skewed span', async () => {
    const { body } = await ingestAndRead();

    expect(body.start_time_unix_nano).toBe(ns(0n));
    expect(body.duration_nano).toBe('2');
  });
});

describe('span ingest', () => {
  const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
  const valid = {
    trace_id: TRACE_ID,
    span_id: 'b7ad6b7169203331',
    service: 'svc-a',
    name: 'GET /',
    start_time: new Date(T0_MS).toISOString(),
    end_time: T0_MS + 5,
  };

  it('stores upper-case ids in lower case', async () => {
    const upper = {
      ...valid,
      trace_id: TRACE_ID.toUpperCase(),
      span_id: 'B7AD6B7169203331',
    };

    await post(SPANS, { spans: [upper] });
    const { body } = await getTrace(TRACE_ID);

    expect(body.trace_id).toBe(TRACE_ID);
    expect(body.spans[0].span_id).toBe('b7ad6b7169203331');
  });

  it('reports each unreadable span by index', async () => {
    const sent = await post(SPANS, {
      spans: [
        { ...valid, span_id: 'xyz' },
        valid,
        { ...valid, span_id: '0000000000000000' },
        { ...valid, span_id: '1111111111111111', start_time: '2001-01-01' },
        { ...valid, span_id: '2222222222222222', atributes: {} },
        'not a span',
      ],
    });

    expect(sent.status).toBe(200);
    expect(sent.body.accepted).toBe(1);
    expect(sent.body.rejected.map((r: any) => r.index)).toEqual([
      0, 2, 3, 4, 5,
    ]);
    const [badId, zeros, old, typo] = sent.body.rejected;
    expect(badId.reason).toContain('span_id');
    expect(zeros.reason).toContain('all zeros');
    expect(old.reason).toContain('older than the accepted window');
    expect(typo.reason).toContain('atributes');
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      'a malformed parent_span_id',
      { parent_span_id: 'xyz' },
      'parent_span_id: invalid span id "xyz": expected 16 hexadecimal ' +
        'digits, not all zero',
    ],
    [
      'an all-zero parent_span_id',
      { parent_span_id: '0000000000000000' },
      'parent_span_id: invalid span id: all zeros',
    ],
    [
      'an unknown kind',
      { kind: 'weird' },
      'kind: invalid kind "weird": expected one of unspecified, internal, ' +
        'server, client, producer, consumer',
    ],
    [
      'an unknown status code',
      { status: { code: 'nope' } },
      'status.code: invalid status code "nope": expected one of unset, ok, ' +
        'error',
    ],
    [
      'a numeric trace_id',
      { trace_id: 12345 },
      'trace_id: invalid trace id: expected a string of 32 hexadecimal ' +
        'digits, received number',
    ],
    ['an empty name', { name: '' }, 'name: is empty; send a non-empty span'],
    [
      'a missing name',
      { name: undefined },
      'name: missing: send the span name, such as "GET /checkout"',
    ],
    [
      'a numeric name',
      { name: 42 },
      'name: invalid name: expected a string, received number',
    ],
    [
      'a numeric kind',
      { kind: 2 },
      'kind: invalid kind 2: expected one of unspecified',
    ],
    [
      'a 300-character service',
      { service: 's'.repeat(300) },
      'service: too long: 300 characters, above the limit of 256; shorten',
    ],
    [
      'an empty event name',
      { events: [{ name: '', time: T0_MS }] },
      'events[0].name: is empty; send a non-empty event name',
    ],
  ])('explains the fix for %s', async (_name, change, reason) => {
    const span = { ...valid, ...change };

    for (const [path, body] of [
      [SPANS, { spans: [span] }],
      [TRACE, { trace_id: TRACE_ID, spans: [span] }],
    ] as const) {
      const sent = await post(path, body);

      expect(sent.status).toBe(200);
      expect(sent.body.accepted).toBe(0);
      expect(sent.body.rejected[0].reason).toContain(reason);
    }
  });

  it('accepts an empty or null parent_span_id as a root', async () => {
    const sent = await post(SPANS, {
      spans: [
        { ...valid, parent_span_id: '' },
        { ...valid, span_id: '1111111111111111', parent_span_id: null },
      ],
    });

    expect(sent.body).toEqual({ accepted: 2, rejected: [] });
  });

  it('rejects a time in the future beyond the window', async () => {
    const late = { ...valid, start_time: NOW_MS + 3_600_000 };

    const sent = await post(SPANS, { spans: [late] });

    expect(sent.body.rejected[0].reason).toContain('in the future');
  });

  it('rejects a span whose trace id differs from the request', async () => {
    const other = { ...valid, trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' };

    const sent = await post(TRACE, { trace_id: TRACE_ID, spans: [other] });

    expect(sent.body.accepted).toBe(0);
    expect(sent.body.rejected[0].reason).toContain('differs');
  });

  it('returns 64-bit attributes as exact JSON numbers', async () => {
    const text =
      `{"spans":[{"trace_id":"${TRACE_ID}","span_id":"b7ad6b7169203331",` +
      `"name":"GET /","start_time":${T0_MS},"end_time":${T0_MS + 1},` +
      '"attributes":{"big":9007199254740993,"neg":-9223372036854775808,' +
      '"text":"9007199254740993","ratio":0.5}}]}';

    const sent = await post(SPANS, text);
    const response = await fetch(
      `${server.url}/api/observatory/traces/${TRACE_ID}`,
      { headers: AUTH },
    );
    const body = await response.text();

    expect(sent.body).toEqual({ accepted: 1, rejected: [] });
    expect(body).toContain('"big":9007199254740993');
    expect(body).toContain('"neg":-9223372036854775808');
    expect(body).toContain('"text":"9007199254740993"');
    expect(body).toContain('"ratio":0.5');
  });

  it('names the service from the resource when absent', async () => {
    const { service: _omitted, ...span } = valid;
    const withResource = {
      ...span,
      resource: { 'service.name': 'from-resource' },
    };

    await post(SPANS, { spans: [withResource] });
    const { body } = await getTrace(TRACE_ID);

    expect(body.spans[0].service).toBe('from-resource');
    expect(body.spans[0].resource).toEqual({ 'service.name': 'from-resource' });
  });

  it.each([
    ['a body that is not JSON', '{"spans": ['],
    ['a body without spans', { items: [] }],
    ['spans that are not a list', { spans: {} }],
    ['a malformed request trace id', { trace_id: 'abc', spans: [] }],
  ])('answers 400 for %s', async (_label, body) => {
    const path = typeof body === 'object' && 'trace_id' in body ? TRACE : SPANS;

    const sent = await post(path, body);

    expect(sent.status).toBe(400);
    expect(sent.body.error.code).toBe('invalid_request');
  });

  it('answers 400 above the batch cap', async () => {
    const spans = Array.from({ length: MAX_BATCH_ITEMS + 1 }, () => ({}));

    const sent = await post(SPANS, { spans });

    expect(sent.status).toBe(400);
    expect(sent.body.error.message).toContain(`${MAX_BATCH_ITEMS}`);
  });

  it('accepts an empty span list', async () => {
    const sent = await post(SPANS, { spans: [] });

    expect(sent.body).toEqual({ accepted: 0, rejected: [] });
  });
});

describe('trace read', () => {
  it('answers 404 for a trace without spans', async () => {
    const response = await getTrace('4bf92f3577b34da6a3ce929d0e0e4736');

    expect(response.status).toBe(404);
  });

  it('reads a trace by its upper-case id', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await post(SPANS, {
      spans: [
        {
          trace_id: traceId,
          span_id: '00f067aa0ba902b7',
          name: 'GET /',
          start_time: T0_MS,
          end_time: T0_MS + 1,
        },
      ],
    });

    const response = await getTrace(traceId.toUpperCase());

    expect(response.status).toBe(200);
    expect(response.body.trace_id).toBe(traceId);
  });

  it('answers 400 naming a malformed trace id', async () => {
    const response = await getTrace('not-a-trace');

    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain('not-a-trace');
    expect(response.body.error.details[0].path).toBe('trace_id');
  });
});

describe('service trace list', () => {
  /** Builds a trace: a svc-a root and a "svc b" child, at T0 + offset. */
  function trace(n: number, offsetMs: number, root: object = {}) {
    const traceId = n.toString(16).padStart(32, 'a');
    return [
      {
        trace_id: traceId,
        span_id: 'a000000000000001',
        service: 'svc-a',
        name: 'GET /checkout',
        start_time: T0_MS + offsetMs,
        end_time: T0_MS + offsetMs + 30,
        ...root,
      },
      {
        trace_id: traceId,
        span_id: 'a000000000000002',
        parent_span_id: 'a000000000000001',
        service: 'svc b',
        name: 'SELECT',
        start_time: T0_MS + offsetMs + 10,
        end_time: T0_MS + offsetMs + 20,
        attributes: { 'db.system': 'postgresql' },
      },
    ];
  }
  const id = (n: number) => n.toString(16).padStart(32, 'a');

  beforeEach(async () => {
    const failing = { status: { code: 'ERROR', message: 'timeout' } };
    const slow = { end_time: T0_MS + 2000 + 500 };
    await post(SPANS, {
      spans: [
        ...trace(1, 0),
        ...trace(2, 1000, failing),
        ...trace(3, 2000, slow),
        ...trace(4, -2 * 3_600_000),
      ],
    });
  });

  it('lists the last hour newest first', async () => {
    const { status, body } = await list('svc-a');

    expect(status).toBe(200);
    expect(body.service).toBe('svc-a');
    expect(body.traces.map((t: any) => t.trace_id)).toEqual([
      id(3),
      id(2),
      id(1),
    ]);
    expect(body.next_cursor).toBeUndefined();
  });

  it('returns each trace summary', async () => {
    const { body } = await list('svc b');
    const summary = body.traces.find((t: any) => t.trace_id === id(1));

    expect(summary).toEqual({
      trace_id: id(1),
      root_service: 'svc-a',
      root_name: 'GET /checkout',
      start_time: new Date(T0_MS).toISOString(),
      start_time_unix_nano: T0.toString(),
      duration_ms: 30,
      duration_nano: '30000000',
      services: ['svc b', 'svc-a'],
      span_count: 2,
      error_count: 0,
    });
  });

  it('pages with next_cursor', async () => {
    const first = await list('svc-a', '?limit=2');
    const cursor = encodeURIComponent(first.body.next_cursor);
    const second = await list('svc-a', `?limit=2&cursor=${cursor}`);

    expect(first.body.traces.map((t: any) => t.trace_id)).toEqual([
      id(3),
      id(2),
    ]);
    expect(second.body.traces.map((t: any) => t.trace_id)).toEqual([id(1)]);
    expect(second.body.next_cursor).toBeUndefined();
  });

  it('reaches older traces with start and end', async () => {
    const start = new Date(T0_MS - 3 * 3_600_000).toISOString();

    const { body } = await list('svc-a', `?start=${start}&end=${T0_MS}`);

    expect(body.traces.map((t: any) => t.trace_id)).toEqual([id(4)]);
  });

  it.each([
    ['min_duration_ms=100', [3]],
    ['max_duration_ms=30', [2, 1]],
    ['errors_only=true', [2]],
    ['errors_only=false', [3, 2, 1]],
    ['operation=GET%20%2Fcheckout', [3, 2, 1]],
    ['operation=SELECT', []],
    ['attr.db.system=postgresql', []],
  ])('filters with %s', async (query, expected) => {
    const { status, body } = await list('svc-a', `?${query}`);

    expect(status).toBe(200);
    expect(body.traces.map((t: any) => t.trace_id)).toEqual(expected.map(id));
  });

  it('filters on attributes of the service span', async () => {
    const { body } = await list('svc b', '?attr.db.system=postgresql');

    expect(body.traces).toHaveLength(3);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=ten', 'limit'],
    ['errors_only=yes', 'errors_only'],
    ['start=yesterday', 'start'],
    [`start=${NOW_MS}&end=${NOW_MS - 1}`, 'start'],
    ['min_duration_ms=-1', 'min_duration_ms'],
    ['min_duration_ms=5&max_duration_ms=1', 'min_duration_ms'],
    ['cursor=bm90LWEtY3Vyc29y', 'cursor'],
    ['sort=asc', 'sort'],
    ['attr.=x', 'attr.'],
  ])('answers 400 for %s', async (query, parameter) => {
    const { status, body } = await list('svc-a', `?${query}`);

    expect(status).toBe(400);
    expect(body.error.message).toContain(parameter);
  });
  it.each([
    ['limit=0', 'limit', 'expected a whole number from 1 to 100'],
    ['limit=101', 'limit', 'expected a whole number from 1 to 100'],
    ['limit=abc', 'limit', 'expected a whole number from 1 to 100'],
    ['limit=1.5', 'limit', 'expected a whole number from 1 to 100'],
    ['min_duration_ms=-5', 'min_duration_ms', 'milliseconds from 0 to'],
    ['max_duration_ms=1e309', 'max_duration_ms', 'milliseconds from 0 to'],
    ['min_duration_ms=', 'min_duration_ms', 'milliseconds from 0 to'],
    ['errors_only=yes', 'errors_only', 'expected true or false'],
    ['cursor=', 'cursor', 'omit cursor for the first page'],
    ['operation=', 'operation', 'send a span name, or omit operation'],
    ['bogus=1', 'bogus', 'expected start, end, limit, cursor'],
  ])('explains the fix for %s', async (query, parameter, fix) => {
    const { status, body } = await list('svc-a', `?${query}`);

    expect(status).toBe(400);
    expect(body.error.details[0].path).toBe(
      parameter === 'bogus' ? '(root)' : parameter,
    );
    expect(body.error.message).toContain(parameter);
    expect(body.error.message).toContain(fix);
  });

  it('lists attribute filters among the accepted parameters', async () => {
    const { body } = await list('svc-a', '?bogus=1');

    expect(body.error.message).toContain('attr.<key>');
  });
});
