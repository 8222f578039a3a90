import { describe, expect, it } from 'vitest';
import { ValidationError } from '#shared/errors.js';
import {
  decodeRequest,
  mapOrReject,
  quoteLongIntegers,
} from '#shared/otlp/codec.js';
import { mapMetricsRequest } from '#shared/otlp/metrics.js';
import {
  decodeProtobufRequest,
  decodeProtobufResponse,
  decodeProtobufStatus,
  encodeProtobufRequest,
  encodeProtobufResponse,
  encodeProtobufStatus,
  exportResponse,
} from '#shared/otlp/protobuf.js';
import { mapTraceRequest } from '#shared/otlp/traces.js';
import {
  at,
  logRecord,
  logsRequest,
  resourceOf,
  SPAN_ID,
  T0_NANO,
  TRACE_ID,
} from '#test/fixtures/otlp/requests.js';

const T0 = T0_NANO;

function protobufSpan(fields: Record<string, unknown> = {}) {
  return {
    traceId: Buffer.from(TRACE_ID, 'hex'),
    spanId: Buffer.from(SPAN_ID, 'hex'),
    name: 'GET /orders',
    kind: 2,
    startTimeUnixNano: at(T0, 1),
    endTimeUnixNano: at(T0, 2),
    ...fields,
  };
}

function protobufTraces(spans: unknown[]) {
  return encodeProtobufRequest('traces', {
    resourceSpans: [
      { resource: resourceOf('checkout'), scopeSpans: [{ spans }] },
    ],
  });
}

describe('decodeProtobufRequest', () => {
  it('converts id bytes to lower-case hex', () => {
    const parent = Buffer.from('82a3dd7705c4527d', 'hex');
    const body = protobufTraces([protobufSpan({ parentSpanId: parent })]);
    const span = mapTraceRequest(decodeProtobufRequest('traces', body))
      .items[0];

    expect(span?.trace_id).toBe(TRACE_ID);
    expect(span?.span_id).toBe(SPAN_ID);
    expect(span?.parent_span_id).toBe('82a3dd7705c4527d');
  });

  it('decodes 64-bit times and integers exactly', () => {
    const attributes = [{ key: 'n', value: { intValue: '9007199254740993' } }];
    const body = protobufTraces([protobufSpan({ attributes })]);
    const span = mapTraceRequest(decodeProtobufRequest('traces', body))
      .items[0];

    expect(span?.start_time_unix_nano).toBe(T0 + 1n);
    expect(span?.duration_nano).toBe(1n);
    expect(span?.attributes.n).toEqual({ intValue: '9007199254740993' });
    expect(span?.kind).toBe('server');
  });

  it('rejects span ids of the wrong byte length', () => {
    const spanId = Buffer.from('0102030405', 'hex');
    const body = protobufTraces([protobufSpan({ spanId })]);
    const batch = mapTraceRequest(decodeProtobufRequest('traces', body));

    expect(batch.rejected[0]?.reason).toContain('spanId: invalid span id');
  });

  it('keeps bytes attributes as base64', () => {
    const value = { bytesValue: Buffer.from([0, 1, 2]) };
    const body = protobufTraces([
      protobufSpan({ attributes: [{ key: 'b', value }] }),
    ]);
    const span = mapTraceRequest(decodeProtobufRequest('traces', body))
      .items[0];

    expect(span?.attributes.b).toEqual({ bytesValue: 'AAEC' });
  });

  it('reads a NaN histogram sum as absent', () => {
    const body = encodeProtobufRequest('metrics', {
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'h',
                  histogram: {
                    aggregationTemporality: 2,
                    dataPoints: [
                      {
                        timeUnixNano: at(T0, 0),
                        count: '3',
                        sum: Number.NaN,
                        bucketCounts: ['1', '2', '0'],
                        explicitBounds: [0.1, 1.0],
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    });
    const point = mapMetricsRequest(decodeProtobufRequest('metrics', body))
      .items[0];

    expect(point?.histogram?.count).toBe(3);
    expect(point?.histogram?.counts).toEqual([1, 2, 0]);
    expect(point?.histogram?.sum).toBeNull();
  });

  it('decodes an empty body as an empty request', () => {
    const decoded = decodeRequest('traces', 'protobuf', Buffer.alloc(0));

    expect(mapTraceRequest(decoded).items).toEqual([]);
  });

  it('raises a 400 for bytes that are not a message', () => {
    const garbage = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]);

    expect(() => decodeRequest('traces', 'protobuf', garbage)).toThrow(
      ValidationError,
    );
  });

  it('rejects a logs request sent as traces: spans without ids', () => {
    const logs = logsRequest([logRecord(T0, { severityNumber: 9 })]);
    const body = encodeProtobufRequest('logs', logs);

    const run = () =>
      mapOrReject(
        () => mapTraceRequest(decodeRequest('traces', 'protobuf', body)),
        'spans',
      );

    expect(run).toThrow(ValidationError);
    expect(run).toThrow(/no spans could be read: .*traceId: invalid trace id/);
  });

  it('rejects a logs request with trace context sent as traces', () => {
    const record = logRecord(T0, {
      traceId: Buffer.from(TRACE_ID, 'hex'),
      spanId: Buffer.from(SPAN_ID, 'hex'),
      attributes: [{ key: 'k', value: { stringValue: 'v' } }],
    });
    const body = encodeProtobufRequest('logs', logsRequest([record]));

    // The trace id bytes land on the span's attributes field (number 9),
    // where they do not parse as a KeyValue.
    expect(() => decodeRequest('traces', 'protobuf', body)).toThrow(
      /not a valid OTLP traces protobuf message/,
    );
  });
});

describe('protobuf responses', () => {
  it('encodes a full success as an empty message', () => {
    expect(encodeProtobufResponse('traces', undefined)).toHaveLength(0);
    expect(exportResponse('traces', undefined)).toEqual({});
  });

  it.each([
    ['traces', 'rejectedSpans'],
    ['metrics', 'rejectedDataPoints'],
    ['logs', 'rejectedLogRecords'],
  ] as const)('encodes a %s partial success', (signal, field) => {
    const partial = { rejected: 3, errorMessage: '3 rejected' };
    const body = encodeProtobufResponse(signal, partial);

    expect(decodeProtobufResponse(signal, body)).toEqual({
      partialSuccess: { [field]: '3', errorMessage: '3 rejected' },
    });
    expect(exportResponse(signal, partial)).toEqual({
      partialSuccess: { [field]: 3, errorMessage: '3 rejected' },
    });
  });

  it('encodes a google.rpc.Status', () => {
    const body = encodeProtobufStatus(3, 'no spans could be read');

    expect(decodeProtobufStatus(body)).toEqual({
      code: 3,
      message: 'no spans could be read',
    });
  });
});

describe('quoteLongIntegers', () => {
  it.each([
    ['{"a":9007199254740993}', '{"a":"9007199254740993"}'],
    ['[-1768478400000000001]', '["-1768478400000000001"]'],
    ['{"a":123456789012345}', '{"a":123456789012345}'],
    ['[1.12345678901234567]', '[1.12345678901234567]'],
    ['[1e12345678901234567]', '[1e12345678901234567]'],
    ['[1E-12345678901234567]', '[1E-12345678901234567]'],
    ['["9007199254740993"]', '["9007199254740993"]'],
    ['["x\\"9007199254740993"]', '["x\\"9007199254740993"]'],
    ['["\\\\",12345678901234567]', '["\\\\","12345678901234567"]'],
  ])('rewrites %s as %s', (text, expected) => {
    expect(quoteLongIntegers(text)).toBe(expected);
  });

  it('decodes an intValue JSON number exactly', () => {
    const text =
      '{"resourceSpans":[{"scopeSpans":[{"spans":[{"x":9007199254740993}]}]}]}';
    const decoded = decodeRequest('traces', 'json', Buffer.from(text));

    expect(JSON.stringify(decoded)).toContain('"x":"9007199254740993"');
  });
});
