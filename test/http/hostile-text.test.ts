import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '#shared/clock.js';
import {
  AUTH,
  getJson,
  postJson,
  startTestServer,
  type TestServer,
} from '#test/support/server.js';

const T0_MS = Date.parse('2026-01-15T12:00:00Z');
const SERVICE = 'text-is-data';
const INJECTION = "x' OR '1'='1' --";

/** Messages whose characters mean something to LIKE, regex or a parser. */
const MESSAGES = [
  'disk 100% full',
  'plain disk full',
  'user_id missing',
  'userXid missing',
  'glob star* here',
  'regex a.c here',
  'plain abc here',
  'field message:error here',
  'an error without field syntax',
  'backslash \\ here',
  "single ' quote here",
  'double " quote here',
  '<script>alert("owned")</script>',
];

let server: TestServer;
const api = (path: string) => `${server.url}/api/observatory${path}`;

async function searchMessages(body: Record<string, unknown>) {
  const response = await postJson(api('/logs/search'), {
    service: SERVICE,
    start: T0_MS - 60_000,
    end: T0_MS,
    ...body,
  });
  expect(response.status).toBe(200);
  return (response.body.logs as { message: string }[])
    .map((log) => log.message)
    .sort();
}

beforeAll(async () => {
  server = await startTestServer({ clock: fixedClock(T0_MS) });
  const logs = MESSAGES.map((message, index) => ({
    service: SERVICE,
    message,
    timestamp: T0_MS - 1_000 - index,
    attributes: { tenant: index === 0 ? INJECTION : 'plain' },
  }));
  const sent = await postJson(api('/logs/ingest/batch'), { logs });
  expect(sent.body.rejected).toEqual([]);
});

afterAll(async () => {
  await server.close();
});

describe('log search syntax', () => {
  it.each([
    ['%', ['disk 100% full']],
    ['_', ['user_id missing']],
    ['*', ['glob star* here']],
    ['a.c', ['regex a.c here']],
    ['message:error', ['field message:error here']],
    ['\\', ['backslash \\ here']],
    ["'", ["single ' quote here"]],
    ['"double \\" quote"', []],
    ['(a+)+$', []],
    ["' OR 1=1 --", []],
    ['"<script>"', ['<script>alert("owned")</script>']],
  ])('matches %s only as written', async (query, expected) => {
    expect(await searchMessages({ query })).toEqual(expected);
  });

  it('reads - as exclusion, not as an operator on fields', async () => {
    const messages = await searchMessages({ query: 'disk -100%' });

    expect(messages).toEqual(['plain disk full']);
  });
});

describe('filters with quotes and SQL', () => {
  it('matches a log attribute equal to the injection text', async () => {
    const messages = await searchMessages({
      attributes: { tenant: INJECTION },
    });

    expect(messages).toEqual(['disk 100% full']);
  });

  it('matches no log attribute with an always-true text', async () => {
    const messages = await searchMessages({
      attributes: { tenant: "' OR ''='" },
    });

    expect(messages).toEqual([]);
  });

  it('matches a metric label equal to the injection text', async () => {
    const point = (host: string, value: number) => ({
      service: SERVICE,
      name: 'cpu.util',
      type: 'gauge',
      value,
      labels: { host },
      timestamp: T0_MS - 30_000,
    });
    await postJson(api('/metrics/ingest/batch'), {
      points: [point(INJECTION, 0.9), point('plain', 0.1)],
    });

    const query = (value: string) =>
      postJson(api('/metrics/query'), {
        service: SERVICE,
        metric_name: 'cpu.util',
        matchers: [{ label: 'host', op: '=', value }],
        start: T0_MS - 60_000,
        end: T0_MS,
        aggregation: 'max',
      });
    const exact = await query(INJECTION);
    const trueForAll = await query("' OR '1'='1");

    expect(exact.body.series).toHaveLength(1);
    expect(exact.body.series[0].labels).toEqual({ host: INJECTION });
    expect(trueForAll.body.series).toEqual([]);
  });

  it('matches a span attribute with quotes in key and value', async () => {
    const key = `a"b'c`;
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await postJson(api('/traces/spans/ingest'), {
      spans: [
        {
          trace_id: traceId,
          span_id: '00f067aa0ba902b7',
          service: SERVICE,
          name: 'GET /',
          start_time: T0_MS - 2_000,
          end_time: T0_MS - 1_000,
          attributes: { [key]: INJECTION },
        },
      ],
    });
    const list = (value: string) =>
      getJson(
        api(
          `/traces/service/${SERVICE}?start=${T0_MS - 60_000}&end=${T0_MS}` +
            `&attr.${encodeURIComponent(key)}=${encodeURIComponent(value)}`,
        ),
      );

    const exact = await list(INJECTION);
    const trueForAll = await list("' OR '1'='1");

    expect(
      exact.body.traces.map((t: { trace_id: string }) => t.trace_id),
    ).toEqual([traceId]);
    expect(trueForAll.body.traces).toEqual([]);
  });
});

describe('lone surrogates in JSON text', () => {
  // JSON escapes can spell half of a UTF-16 pair, which is not Unicode.
  const LONE = '\\ud800';

  it('stores a log record with U+FFFD in its place', async () => {
    const body =
      `{"service":"${SERVICE}","message":"half ${LONE} pair",` +
      `"timestamp":${T0_MS - 500},"attributes":{"k${LONE}":"v${LONE}"}}`;

    const sent = await postJson(api('/logs/ingest'), body);
    const messages = await searchMessages({ query: 'half' });

    expect(sent.status).toBe(200);
    expect(messages).toEqual(['half \uFFFD pair']);
  });

  it('stores an OTLP span with U+FFFD in its place', async () => {
    const traceId = '9'.repeat(32);
    const body =
      '{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name",' +
      `"value":{"stringValue":"svc${LONE}"}}]},"scopeSpans":[{"spans":[{` +
      `"traceId":"${traceId}","spanId":"${'1'.repeat(16)}","name":"op${LONE}",` +
      `"startTimeUnixNano":"${BigInt(T0_MS - 1_000) * 1_000_000n}"}]}]}]}`;

    const response = await fetch(`${server.url}/v1/traces`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body,
    });
    const stored = await server.stores.traces.getTrace(traceId);

    expect(response.status).toBe(200);
    expect(stored.map((span) => [span.service, span.name])).toEqual([
      ['svc\uFFFD', 'op\uFFFD'],
    ]);
  });

  it('keeps an escaped backslash before u as text', async () => {
    const body =
      `{"service":"${SERVICE}","message":"literal \\\\ud800",` +
      `"timestamp":${T0_MS - 400}}`;

    await postJson(api('/logs/ingest'), body);
    const messages = await searchMessages({ query: 'literal' });

    expect(messages).toEqual(['literal \\ud800']);
  });
});

describe('HTML in responses', () => {
  it('returns HTML in a message as escaped JSON text', async () => {
    const response = await fetch(api('/logs/search'), {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({
        service: SERVICE,
        query: '"<script>"',
        start: T0_MS - 60_000,
        end: T0_MS,
      }),
    });
    const text = await response.text();

    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(text).not.toContain('<script>');
    expect(text).toContain('\\u003cscript\\u003e');
    expect(JSON.parse(text).logs[0].message).toBe(
      '<script>alert("owned")</script>',
    );
  });

  it('escapes HTML echoed in an error message', async () => {
    const response = await fetch(api('/logs/search'), {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({ min_level: '<img src=x onerror=alert(1)>' }),
    });
    const text = await response.text();

    expect(response.status).toBe(400);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(text).not.toContain('<img');
  });
});
