import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '#shared/clock.js';
import {
  MAX_ANY_VALUE_DEPTH,
  MAX_ATTRIBUTE_KEY_BYTES,
  MAX_BATCH_ITEMS,
  MAX_LABEL_VALUE_LENGTH,
  MAX_LOG_ATTRIBUTES,
  MAX_METRIC_LABELS,
  MAX_RESOURCE_ATTRIBUTES,
} from '#shared/limits.js';
import {
  postOtlpBytes,
  postOtlpJson,
  postOtlpProtobuf,
} from '#test/fixtures/otlp/http.js';
import {
  at,
  gauge,
  logRecord,
  logsRequest,
  metricsRequest,
  resourceOf,
  span,
  str,
  T0_NANO,
  traceRequest,
} from '#test/fixtures/otlp/requests.js';
import {
  getJson,
  startTestServer,
  type TestServer,
} from '#test/support/server.js';

const T0_MS = Number(T0_NANO / 1_000_000n);

let server: TestServer;
let serial = 0;

function nextId(digits: number): string {
  serial += 1;
  return serial.toString(16).padStart(digits, '3');
}

/** Builds `count` string attributes `k0`, `k1`, ... as OTLP KeyValues. */
function attributes(count: number) {
  return Array.from({ length: count }, (_, i) => str(`k${i}`, 'v'));
}

const spans = (count: number) =>
  Array.from({ length: count }, (_, i) =>
    span(T0_NANO, {
      traceId: '8'.repeat(32),
      spanId: (i + 1).toString(16).padStart(16, '0'),
    }),
  );

const points = (count: number) =>
  Array.from({ length: count }, (_, i) => ({
    timeUnixNano: at(T0_NANO, -i * 1_000_000),
    asDouble: i,
  }));

const records = (count: number) =>
  Array.from({ length: count }, (_, i) =>
    logRecord(T0_NANO, { body: { stringValue: `record ${i}` } }),
  );

/** Encodes a length-delimited protobuf field by hand. */
function lengthDelimited(field: number, payload: Buffer): Buffer {
  const varint = (value: number) => {
    const bytes: number[] = [];
    let rest = value;
    while (rest > 127) {
      bytes.push((rest & 127) | 128);
      rest >>>= 7;
    }
    bytes.push(rest);
    return Buffer.from(bytes);
  };
  return Buffer.concat([
    varint((field << 3) | 2),
    varint(payload.length),
    payload,
  ]);
}

beforeAll(async () => {
  server = await startTestServer({ clock: fixedClock(T0_MS) });
});

afterAll(async () => {
  await server.close();
});

describe('items per OTLP request', () => {
  it.each([
    ['traces', () => traceRequest(spans(MAX_BATCH_ITEMS + 1))],
    [
      'metrics',
      () => metricsRequest([gauge('many', points(MAX_BATCH_ITEMS + 1))]),
    ],
    ['logs', () => logsRequest(records(MAX_BATCH_ITEMS + 1))],
  ] as const)('answers 413 naming the cap on /v1/%s', async (signal, build) => {
    const response = await postOtlpJson(server.url, signal, build());

    expect(response.status).toBe(413);
    expect(response.body.error.message).toContain(String(MAX_BATCH_ITEMS));
  });

  it('counts data points across metrics', async () => {
    const half = MAX_BATCH_ITEMS / 2;
    const request = metricsRequest([
      gauge('first', points(half)),
      gauge('second', points(half + 1)),
    ]);

    const response = await postOtlpJson(server.url, 'metrics', request);

    expect(response.status).toBe(413);
  });

  it('answers RESOURCE_EXHAUSTED to protobuf over the cap', async () => {
    const response = await postOtlpProtobuf(
      server.url,
      'logs',
      logsRequest(records(MAX_BATCH_ITEMS + 1)),
    );

    expect(response.status).toBe(413);
    expect(response.body.code).toBe(8);
  });

  it('stores a request of exactly the cap', async () => {
    const response = await postOtlpJson(
      server.url,
      'logs',
      logsRequest(records(MAX_BATCH_ITEMS), resourceOf('cap-check')),
    );

    expect(response.status).toBe(200);
    expect(response.body).toEqual({});
  });
});

describe('OTLP attribute caps', () => {
  it('drops and counts a long span key', async () => {
    const traceId = nextId(32);
    const long = 'k'.repeat(MAX_ATTRIBUTE_KEY_BYTES + 1);
    const request = traceRequest(
      [
        span(T0_NANO, {
          traceId,
          attributes: [str(long, 'a'), str('ok', 'b')],
        }),
      ],
      resourceOf('checkout'),
    );

    const response = await postOtlpJson(server.url, 'traces', request);
    const trace = await getJson(
      `${server.url}/api/observatory/traces/${traceId}`,
    );
    const stored = JSON.stringify(trace.body);

    expect(response.status).toBe(200);
    expect(stored).not.toContain(long);
    expect(stored).toContain('"dropped_attributes_count":1');
  });

  it('rejects spans under a crowded resource', async () => {
    const crowded = resourceOf('checkout', attributes(MAX_RESOURCE_ATTRIBUTES));
    const request = {
      resourceSpans: [
        ...traceRequest([span(T0_NANO, { traceId: nextId(32) })], crowded)
          .resourceSpans,
        ...traceRequest(
          [span(T0_NANO, { traceId: nextId(32) })],
          resourceOf('ok'),
        ).resourceSpans,
      ],
    };

    const response = await postOtlpJson(server.url, 'traces', request);

    expect(response.status).toBe(200);
    expect(response.body.partialSuccess.rejectedSpans).toBe(1);
    expect(response.body.partialSuccess.errorMessage).toContain(
      String(MAX_RESOURCE_ATTRIBUTES),
    );
  });

  it.each([
    [
      'too many attributes',
      attributes(MAX_METRIC_LABELS + 1),
      String(MAX_METRIC_LABELS),
    ],
    [
      'a long attribute value',
      [str('host', 'h'.repeat(MAX_LABEL_VALUE_LENGTH + 1))],
      String(MAX_LABEL_VALUE_LENGTH),
    ],
  ])('rejects a metric point with %s', async (_name, pointAttributes, text) => {
    const request = metricsRequest([
      gauge('labelled', [
        { timeUnixNano: at(T0_NANO, 0), asDouble: 1 },
        {
          timeUnixNano: at(T0_NANO, -1_000_000),
          asDouble: 2,
          attributes: pointAttributes,
        },
      ]),
    ]);

    const response = await postOtlpJson(server.url, 'metrics', request);

    expect(response.status).toBe(200);
    expect(response.body.partialSuccess.rejectedDataPoints).toBe(1);
    expect(response.body.partialSuccess.errorMessage).toContain(text);
  });

  it('rejects a log record with too many attributes', async () => {
    const request = logsRequest([
      logRecord(T0_NANO),
      logRecord(T0_NANO, { attributes: attributes(MAX_LOG_ATTRIBUTES + 1) }),
    ]);

    const response = await postOtlpJson(server.url, 'logs', request);

    expect(response.status).toBe(200);
    expect(response.body.partialSuccess.rejectedLogRecords).toBe(1);
    expect(response.body.partialSuccess.errorMessage).toContain(
      String(MAX_LOG_ATTRIBUTES),
    );
  });

  it('rejects a value nested past the depth cap', async () => {
    let value: unknown = { stringValue: 'leaf' };
    for (let i = 0; i <= MAX_ANY_VALUE_DEPTH; i += 1) {
      value = { arrayValue: { values: [value] } };
    }
    const request = logsRequest([
      logRecord(T0_NANO),
      logRecord(T0_NANO, { body: value }),
    ]);

    const response = await postOtlpJson(server.url, 'logs', request);

    expect(response.status).toBe(200);
    expect(response.body.partialSuccess.rejectedLogRecords).toBe(1);
    expect(response.body.partialSuccess.errorMessage).toContain(
      `deeper than ${MAX_ANY_VALUE_DEPTH} levels`,
    );
  });

  it('answers 400 to protobuf nested past the decoder limit', async () => {
    // AnyValue.array_value (5) holds ArrayValue.values (1), 150 times over.
    let value = lengthDelimited(1, Buffer.from('leaf'));
    for (let i = 0; i < 150; i += 1) {
      value = lengthDelimited(5, lengthDelimited(1, value));
    }
    // LogRecord.body (5), ScopeLogs.log_records (2),
    // ResourceLogs.scope_logs (2), the request's resource_logs (1).
    const request = lengthDelimited(
      1,
      lengthDelimited(2, lengthDelimited(2, lengthDelimited(5, value))),
    );

    const response = await postOtlpBytes(server.url, 'logs', request);

    expect(response.status).toBe(400);
    expect(response.body.message).toContain('max depth exceeded');
  });
});
