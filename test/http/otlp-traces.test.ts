import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '#shared/clock.js';
import { encodeProtobufRequest } from '#shared/otlp/protobuf.js';
import {
  postOtlpBytes,
  postOtlpJson,
  postOtlpProtobuf,
} from '#test/fixtures/otlp/http.js';
import {
  at,
  idsHexRequest,
  logRecord,
  logsRequest,
  resourceOf,
  span,
  str,
  T0_NANO,
  traceRequest,
} from '#test/fixtures/otlp/requests.js';
import {
  AUTH,
  getJson,
  startTestServer,
  type TestServer,
} from '#test/support/server.js';

const T0 = T0_NANO;
const T0_MS = Number(T0 / 1_000_000n);

let server: TestServer;
let idCounter = 0;

/** A fresh trace id per test, so tests never see each other's spans. */
function newTraceId(): string {
  idCounter += 1;
  return idCounter.toString(16).padStart(32, 'a');
}

function spanId(n: number): string {
  return n.toString(16).padStart(16, 'b');
}

beforeAll(async () => {
  server = await startTestServer({ clock: fixedClock(T0_MS) });
});

afterAll(async () => {
  await server.close();
});

describe('POST /v1/traces ids', () => {
  it('stores upper-case hex ids in lower case and rejects base64', async () => {
    const response = await postOtlpJson(
      server.url,
      'traces',
      idsHexRequest(T0),
    );

    expect(response.status).toBe(200);
    expect(response.body.partialSuccess.rejectedSpans).toBe(2);
    expect(response.body.partialSuccess.errorMessage).toContain(
      'spans[1].traceId: invalid trace id "nio9wGB0sXVA1U3k5R5zXw=="',
    );
    expect(response.body.partialSuccess.errorMessage).toContain(
      'spans[2].traceId: invalid trace id',
    );
    const stored = await server.stores.traces.getTrace(
      '9e2a3dc06074b17540d54de4e51e735f',
    );
    expect(stored.map((s) => s.span_id)).toEqual(['5b8efff798038103']);
    expect(
      await server.stores.traces.getTrace('nio9wGB0sXVA1U3k5R5zXw=='),
    ).toEqual([]);
  });

  it('returns lower-case ids from the trace API', async () => {
    const traceId = newTraceId();
    await postOtlpJson(
      server.url,
      'traces',
      traceRequest([
        span(T0, {
          traceId: traceId.toUpperCase(),
          spanId: 'ABCDEF0123456789',
        }),
      ]),
    );

    const read = await getJson(
      `${server.url}/api/observatory/traces/${traceId}`,
    );

    expect(read.status).toBe(200);
    expect(JSON.stringify(read.body)).toContain('abcdef0123456789');
    expect(JSON.stringify(read.body)).not.toContain('ABCDEF0123456789');
  });

  it('returns 400 naming the field when no span is valid', async () => {
    const request = traceRequest([
      span(T0, { traceId: 'nio9wGB0sXVA1U3k5R5zXw==' }),
    ]);
    const response = await postOtlpJson(server.url, 'traces', request);

    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain(
      'spans[0].traceId: invalid trace id',
    );
    expect(response.body.error.details[0].path).toBe(
      'resourceSpans[0].scopeSpans[0].spans[0]',
    );
  });
});

describe('POST /v1/traces int64 attributes', () => {
  it('keeps 64-bit integers exactly and rejects malformed ones', async () => {
    const traceId = newTraceId();
    const attributes = [
      { key: 'a', value: { intValue: '25' } },
      { key: 'b', value: { intValue: 7 } },
      { key: 'c', value: { intValue: '9007199254740993' } },
      { key: 'd', value: { intValue: '-12' } },
    ];
    const bad = [{ key: 'retries', value: { intValue: '12abc' } }];
    const request = traceRequest([
      span(T0, { traceId, spanId: spanId(1), attributes }),
      span(T0, { traceId, spanId: spanId(2), attributes: bad }),
    ]);

    const response = await postOtlpJson(server.url, 'traces', request);

    expect(response.status).toBe(200);
    expect(response.body.partialSuccess.rejectedSpans).toBe(1);
    expect(response.body.partialSuccess.errorMessage).toContain(
      'attributes["retries"].intValue: invalid integer "12abc"',
    );
    const stored = await server.stores.traces.getTrace(traceId);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.attributes).toEqual({
      a: { intValue: '25' },
      b: { intValue: '7' },
      c: { intValue: '9007199254740993' },
      d: { intValue: '-12' },
    });
  });

  it('returns 9007199254740993 exactly from the trace API', async () => {
    const traceId = newTraceId();
    const attributes = [{ key: 'c', value: { intValue: '9007199254740993' } }];
    await postOtlpJson(
      server.url,
      'traces',
      traceRequest([span(T0, { traceId, attributes })]),
    );

    const response = await fetch(
      `${server.url}/api/observatory/traces/${traceId}`,
      { headers: AUTH },
    );
    const text = await response.text();

    expect(text).toContain('9007199254740993');
    expect(text).not.toContain('9007199254740992');
  });
});

describe('POST /v1/traces JSON numbers', () => {
  it('keeps 64-bit integers sent as JSON numbers exactly', async () => {
    const traceId = newTraceId();
    const text =
      '{"resourceSpans":[{"scopeSpans":[{"spans":[{' +
      `"traceId":"${traceId}","spanId":"${spanId(1)}",` +
      '"name":"digits \\"12345678901234567\\" stay text",' +
      `"startTimeUnixNano":${at(T0, 1)},"endTimeUnixNano":${at(T0, 2)},` +
      '"attributes":[{"key":"n","value":{"intValue":9007199254740993}},' +
      '{"key":"d","value":{"doubleValue":1.12345678901234567}}]}]}]}]}';

    const response = await postOtlpJson(server.url, 'traces', text);
    const stored = (await server.stores.traces.getTrace(traceId))[0];

    expect(response.status).toBe(200);
    expect(stored?.start_time_unix_nano).toBe(T0 + 1n);
    expect(stored?.duration_nano).toBe(1n);
    expect(stored?.attributes.n).toEqual({ intValue: '9007199254740993' });
    // The 17-digit literal parses to the nearest double, as JSON.parse would.
    expect(stored?.attributes.d).toEqual({ doubleValue: 1.1234567890123457 });
    expect(stored?.name).toBe('digits "12345678901234567" stay text');
  });
});

describe('POST /v1/traces defaults and empty requests', () => {
  it('stores a bare span with defaults', async () => {
    const traceId = newTraceId();
    const bare = {
      traceId,
      spanId: spanId(1),
      name: 'bare',
      startTimeUnixNano: at(T0, 0),
      endTimeUnixNano: at(T0, 1000),
    };
    const request = { resourceSpans: [{ scopeSpans: [{ spans: [bare] }] }] };

    const response = await postOtlpJson(server.url, 'traces', request);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({});
    const stored = (await server.stores.traces.getTrace(traceId))[0];
    expect(stored?.kind).toBe('unspecified');
    expect(stored?.status.code).toBe('unset');
    expect(stored?.service).toBe('unknown_service');
  });

  it.each([
    ['{}', {}],
    ['no resources', { resourceSpans: [] }],
    [
      'a resource without spans',
      {
        resourceSpans: [
          { resource: resourceOf('a'), scopeSpans: [{ spans: [] }] },
        ],
      },
    ],
  ])('returns 200 for %s', async (_name, request) => {
    const json = await postOtlpJson(server.url, 'traces', request);
    const protobuf = await postOtlpProtobuf(server.url, 'traces', request);

    expect(json.status).toBe(200);
    expect(json.body).toEqual({});
    expect(protobuf.status).toBe(200);
    expect(protobuf.body).toEqual({});
  });

  it('returns 400 for protobuf logs sent to /v1/traces', async () => {
    const logs = encodeProtobufRequest(
      'logs',
      logsRequest([logRecord(T0, { severityNumber: 9 })], resourceOf('a')),
    );

    const response = await postOtlpBytes(server.url, 'traces', logs);

    expect(response.status).toBe(400);
    expect(response.contentType).toBe('application/x-protobuf');
    expect(response.body.code).toBe(3);
    expect(response.body.message).toContain('no spans could be read');
  });
});

describe('POST /v1/traces clock skew', () => {
  it('keeps skewed, unfinished and 1 ns spans with their raw times', async () => {
    const traceId = newTraceId();
    const request = traceRequest([
      span(T0, {
        traceId,
        spanId: spanId(1),
        startTimeUnixNano: at(T0, 50_000_000),
        endTimeUnixNano: at(T0, 0),
      }),
      span(T0, { traceId, spanId: spanId(2), endTimeUnixNano: '0' }),
      span(T0, {
        traceId,
        spanId: spanId(3),
        startTimeUnixNano: at(T0, 1),
        endTimeUnixNano: at(T0, 2),
      }),
    ]);

    const response = await postOtlpJson(server.url, 'traces', request);
    const stored = await server.stores.traces.getTrace(traceId);
    const byId = new Map(stored.map((s) => [s.span_id, s]));

    expect(response.status).toBe(200);
    expect(response.body).toEqual({});
    expect(byId.get(spanId(1))).toMatchObject({
      start_time_unix_nano: T0 + 50_000_000n,
      end_time_unix_nano: T0,
      duration_nano: 0n,
      clock_skew: true,
    });
    expect(byId.get(spanId(2))).toMatchObject({
      duration_nano: 0n,
      incomplete: true,
    });
    expect(byId.get(spanId(3))?.duration_nano).toBe(1n);
  });
});

describe('POST /v1/traces domain rules', () => {
  it('reports a span outside the ingest window by its place', async () => {
    const old = T0 - 30n * 24n * 3_600_000_000_000n;
    const traceId = newTraceId();
    const request = traceRequest([
      span(T0, { traceId, spanId: spanId(1) }),
      span(old, { traceId, spanId: spanId(2) }),
    ]);

    const response = await postOtlpJson(server.url, 'traces', request);

    expect(response.status).toBe(200);
    expect(response.body.partialSuccess.rejectedSpans).toBe(1);
    expect(response.body.partialSuccess.errorMessage).toMatch(
      /resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[1\]: start time: .*older than/,
    );
  });

  it('stores a request sent twice once', async () => {
    const traceId = newTraceId();
    const request = traceRequest(
      [
        span(T0, { traceId, spanId: spanId(1) }),
        span(T0, { traceId, spanId: spanId(2) }),
      ],
      resourceOf('checkout', [str('host.name', 'web-1')]),
    );

    const first = await postOtlpProtobuf(server.url, 'traces', request);
    const second = await postOtlpProtobuf(server.url, 'traces', request);

    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body).toEqual({});
    expect(await server.stores.traces.getTrace(traceId)).toHaveLength(2);
  });

  it('keeps the first of two different spans with one id', async () => {
    const traceId = newTraceId();
    const request = traceRequest([
      span(T0, { traceId, spanId: spanId(1), name: 'first' }),
      span(T0, { traceId, spanId: spanId(1), name: 'second' }),
    ]);

    const response = await postOtlpJson(server.url, 'traces', request);
    const stored = await server.stores.traces.getTrace(traceId);

    expect(response.body.partialSuccess.rejectedSpans).toBe(1);
    expect(response.body.partialSuccess.errorMessage).toContain('spans[1]');
    expect(stored.map((s) => s.name)).toEqual(['first']);
  });

  it('stores a protobuf span with every field', async () => {
    const traceId = newTraceId();
    const request = traceRequest(
      [
        span(T0, {
          traceId,
          spanId: spanId(1),
          parentSpanId: spanId(9),
          kind: 3,
          status: { code: 2, message: 'upstream timeout' },
          attributes: [str('http.route', '/orders')],
          events: [{ timeUnixNano: at(T0, 10), name: 'retry' }],
          links: [{ traceId: newTraceId(), spanId: spanId(5) }],
          droppedLinksCount: 2,
        }),
      ],
      resourceOf('checkout'),
    );

    const response = await postOtlpProtobuf(server.url, 'traces', request);
    const stored = (await server.stores.traces.getTrace(traceId))[0];

    expect(response.status).toBe(200);
    expect(stored).toMatchObject({
      parent_span_id: spanId(9),
      service: 'checkout',
      kind: 'client',
      status: { code: 'error', message: 'upstream timeout' },
      attributes: { 'http.route': { stringValue: '/orders' } },
      dropped_links_count: 2,
    });
    expect(stored?.events[0]?.time_unix_nano).toBe(T0 + 10n);
    expect(stored?.links[0]?.span_id).toBe(spanId(5));
  });
});
