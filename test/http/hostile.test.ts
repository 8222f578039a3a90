import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalServer, startLocalServer } from '#infra/local/server.js';
import { fixedClock } from '#shared/clock.js';
import {
  MAX_DECOMPRESSED_BODY_BYTES,
  MAX_WIRE_BODY_BYTES,
} from '#shared/limits.js';
import { encodeProtobufRequest } from '#shared/otlp/protobuf.js';
import { rawJsonBody, sendRaw } from '#test/fuzz/raw-http.js';
import {
  AUTH,
  getJson,
  postJson,
  startTestServer,
  type TestServer,
} from '#test/support/server.js';

const T0_MS = Date.parse('2026-01-15T12:00:00Z');
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

let server: TestServer;
const api = (path: string) => `${server.url}/api/observatory${path}`;

function span(spanId: string, service = 'checkout') {
  return {
    trace_id: TRACE_ID,
    span_id: spanId,
    service,
    name: 'POST /pay',
    start_time: T0_MS - 2_000,
    end_time: T0_MS - 1_000,
  };
}

beforeAll(async () => {
  server = await startTestServer({ clock: fixedClock(T0_MS) });
});

afterAll(async () => {
  await server.close();
});

describe('path parameters', () => {
  it.each([
    ['an encoded traversal', '/traces/..%2F..%2Fkeys', 400],
    // URL parsing reads %2E%2E as .., so the path climbs to no route.
    ['an encoded dot-dot segment', '/traces/%2E%2E', 404],
    ['a null byte', '/traces/%00', 400],
    ['an encoded slash in a service', '/logs/service/a%2F..%2F..%2Fkeys', 200],
    ['a null byte in a service', '/logs/service/x%00y', 200],
    ['a traversal in a key id', '/keys/..%2F..%2Fkeys', 404],
  ])('treats %s as data', async (_name, path, status) => {
    const method = path.startsWith('/keys/') ? 'DELETE' : 'GET';
    const response = await fetch(api(path), { method, headers: AUTH });
    const body: any = await response.json();

    expect(response.status).toBe(status);
    if (status === 200) expect(body.logs).toEqual([]);
    else expect(body.error).toBeDefined();
  });

  it('resolves dot segments before it checks the key', async () => {
    const response = await fetch(
      `${server.url}/health/../api/observatory/keys`,
    );

    expect(response.status).toBe(401);
  });
});

describe('slow clients', () => {
  let slow: LocalServer;

  beforeAll(async () => {
    slow = await startLocalServer({
      deps: server.deps,
      port: 0,
      keyCacheTtlMs: 0,
      requestTimeoutMs: 1_000,
    });
  });

  afterAll(async () => {
    await slow.close();
  });

  it('closes a connection whose headers never end', async () => {
    const head = 'GET /health HTTP/1.1\r\nHost: a\r\n';
    const trickle = Array.from({ length: 50 }, (_, i) => `x-${i}: y\r\n`);

    const exchange = await sendRaw(slow.url, [head, ...trickle], {
      pauseMs: 100,
      giveUpMs: 6_000,
    });

    expect(exchange.status).toBe(408);
    expect(exchange.closedAfterMs).toBeLessThan(4_000);
  });

  it('closes a connection whose body never ends', async () => {
    const head =
      'POST /v1/logs HTTP/1.1\r\nHost: a\r\ncontent-type: application/json\r\n' +
      `x-api-key: ${AUTH['x-api-key']}\r\ncontent-length: 1000\r\n\r\n`;

    const exchange = await sendRaw(slow.url, [head, '{"resourceLogs":'], {
      giveUpMs: 6_000,
    });

    expect(exchange.status).toBe(408);
    expect(exchange.closedAfterMs).toBeLessThan(4_000);
  });
});

describe('bodies', () => {
  it('answers 413 and closes after a body over the wire limit', async () => {
    const head =
      'POST /v1/logs HTTP/1.1\r\nHost: a\r\ncontent-type: application/json\r\n' +
      `x-api-key: ${AUTH['x-api-key']}\r\n` +
      `content-length: ${MAX_WIRE_BODY_BYTES + 1}\r\n\r\n`;
    const chunk = 'x'.repeat(1024 * 1024);
    const parts = [head, ...Array.from({ length: 5 }, () => chunk)];

    const exchange = await sendRaw(server.url, parts, { giveUpMs: 10_000 });

    expect(exchange.status).toBe(413);
    expect(rawJsonBody(exchange.response).error.message).toContain(
      String(MAX_WIRE_BODY_BYTES),
    );
    expect(exchange.response).toContain('connection: close');
  });

  it('answers 413 to a gzip bomb', async () => {
    const bomb = gzipSync(Buffer.alloc(MAX_DECOMPRESSED_BODY_BYTES + 1024));

    const response = await fetch(`${server.url}/v1/traces`, {
      method: 'POST',
      headers: {
        ...AUTH,
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      },
      body: bomb,
    });
    const body: any = await response.json();

    expect(bomb.length).toBeLessThan(64 * 1024);
    expect(response.status).toBe(413);
    expect(body.error.message).toContain(String(MAX_DECOMPRESSED_BODY_BYTES));
  });

  it('answers 400 to protobuf labelled as JSON', async () => {
    const bytes = encodeProtobufRequest('traces', { resourceSpans: [{}] });

    const response = await fetch(`${server.url}/v1/traces`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: Buffer.concat([bytes, Buffer.from([0xff, 0x00])]),
    });

    expect(response.status).toBe(400);
  });

  it('answers 400 to JSON labelled as protobuf', async () => {
    const response = await fetch(`${server.url}/v1/logs`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/x-protobuf' },
      body: JSON.stringify({ resourceLogs: [] }),
    });

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/x-protobuf');
  });
});

describe('concurrent duplicate requests', () => {
  it('stores a span sent 20 times at once exactly once', async () => {
    const body = { spans: [span('00f067aa0ba902b7')] };

    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        postJson(api('/traces/spans/ingest'), body),
      ),
    );
    const stored = await server.stores.traces.getTrace(TRACE_ID);

    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(stored).toHaveLength(1);
  });

  it('stores a log record sent 20 times at once exactly once', async () => {
    const log = {
      service: 'dup-check',
      message: 'sent twenty times',
      timestamp: T0_MS - 1_000,
    };

    const responses = await Promise.all(
      Array.from({ length: 20 }, () => postJson(api('/logs/ingest'), log)),
    );
    const found = await postJson(api('/logs/search'), {
      service: 'dup-check',
      start: T0_MS - 60_000,
      end: T0_MS,
    });

    expect(new Set(responses.map((r) => r.body.log_id)).size).toBe(1);
    expect(found.body.logs).toHaveLength(1);
  });

  it('stores a metric point sent 20 times at once exactly once', async () => {
    const point = {
      service: 'dup-check',
      name: 'queue.depth',
      type: 'gauge',
      value: 7,
      timestamp: T0_MS - 30_000,
    };

    const responses = await Promise.all(
      Array.from({ length: 20 }, () => postJson(api('/metrics/ingest'), point)),
    );
    const stats = await getJson(
      api(
        `/metrics/statistics/dup-check/queue.depth?start=${T0_MS - 60_000}&end=${T0_MS}`,
      ),
    );

    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(stats.body.count).toBe(1);
  });
});

describe('numeric query parameters', () => {
  const invalid = ['-1', 'NaN', 'Infinity', '1e400', '99999999999999999999'];
  const odd = ['0', '0x10', '1.5', '', ' 5'];
  const numeric: [string, string][] = [
    ['/traces/service/checkout', 'limit'],
    ['/traces/service/checkout', 'min_duration_ms'],
    ['/traces/service/checkout', 'start'],
    [`/traces/${TRACE_ID}/analyze`, 'limit'],
    ['/traces/service/checkout/statistics', 'end'],
    ['/logs/service/checkout', 'limit'],
    ['/logs/statistics/checkout', 'interval'],
    ['/metrics/list/checkout', 'limit'],
    ['/metrics/statistics/checkout/cpu', 'end'],
    ['/services', 'limit'],
    ['/services/checkout/topology', 'depth'],
    ['/keys', 'limit'],
  ];

  it.each(numeric)('%s answers 400 naming bad %s', async (path, name) => {
    for (const value of invalid) {
      const query = `?${name}=${encodeURIComponent(value)}`;
      const response = await getJson(api(`${path}${query}`));

      expect(response.status, `${name}=${value}`).toBe(400);
      expect(response.body.error.message, `${name}=${value}`).toContain(name);
    }
  });

  it.each(numeric)('%s answers odd %s values below 500', async (path, name) => {
    for (const value of odd) {
      const query = `?${name}=${encodeURIComponent(value)}`;
      const response = await getJson(api(`${path}${query}`));

      expect(response.status, `${name}=${value}`).toBeLessThan(500);
    }
  });
});

describe('unicode service names', () => {
  it.each([
    'café-☕',
    'サービス',
    '𝕏-svc',
    'team/checkout',
    'rtl\u202Eevil',
    'zero\u200Bwidth',
  ])('stores and finds logs of %s', async (service) => {
    const message = `hello from ${service}`;
    const sent = await postJson(api('/logs/ingest'), {
      service,
      message,
      timestamp: T0_MS - 1_000,
    });

    const found = await getJson(
      api(
        `/logs/service/${encodeURIComponent(service)}?start=${T0_MS - 60_000}&end=${T0_MS}`,
      ),
    );

    expect(sent.status).toBe(200);
    expect(found.status).toBe(200);
    expect(
      found.body.logs.map((log: { message: string }) => log.message),
    ).toEqual([message]);
  });
});
