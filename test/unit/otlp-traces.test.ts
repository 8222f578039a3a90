import { describe, expect, it } from 'vitest';
import { mapTraceRequest } from '#shared/otlp/traces.js';
import {
  at,
  idsHexRequest,
  resourceOf,
  SPAN_ID,
  span,
  str,
  T0_NANO,
  TRACE_ID,
  traceRequest,
} from '#test/fixtures/otlp/requests.js';

const T0 = T0_NANO;

function mapOne(fields: Record<string, unknown>, resource?: unknown) {
  const batch = mapTraceRequest(traceRequest([span(T0, fields)], resource));
  return batch;
}

describe('mapTraceRequest ids', () => {
  it('stores upper-case hex ids in lower case', () => {
    const batch = mapTraceRequest(idsHexRequest(T0));

    expect(batch.items).toHaveLength(1);
    expect(batch.items[0]?.trace_id).toBe('9e2a3dc06074b17540d54de4e51e735f');
    expect(batch.items[0]?.span_id).toBe('5b8efff798038103');
  });

  it('rejects base64 trace ids naming the field', () => {
    const batch = mapTraceRequest(idsHexRequest(T0));

    expect(batch.rejected).toHaveLength(2);
    expect(batch.rejected.map((r) => r.location)).toEqual([
      'resourceSpans[0].scopeSpans[0].spans[1]',
      'resourceSpans[0].scopeSpans[0].spans[2]',
    ]);
    for (const rejection of batch.rejected) {
      expect(rejection.reason).toMatch(
        /spans\[\d\]\.traceId: invalid trace id/,
      );
      expect(rejection.reason).toContain('not base64');
    }
  });

  it.each([
    ['16-digit trace id', { traceId: '82a3dd7705c4527d' }, 'traceId'],
    ['all-zero trace id', { traceId: '0'.repeat(32) }, 'traceId'],
    ['all-zero span id', { spanId: '0'.repeat(16) }, 'spanId'],
    ['32-digit span id', { spanId: TRACE_ID }, 'spanId'],
    ['missing span id', { spanId: undefined }, 'spanId'],
    ['base64 parent id', { parentSpanId: 'W47/95gDgQM=' }, 'parentSpanId'],
  ])('rejects a %s', (_name, fields, field) => {
    const batch = mapOne(fields);

    expect(batch.items).toHaveLength(0);
    expect(batch.rejected[0]?.reason).toContain(`.${field}: invalid`);
  });

  it('reads an empty parent span id as a root span', () => {
    const batch = mapOne({ parentSpanId: '' });

    expect(batch.items[0]?.parent_span_id).toBeNull();
  });

  it('lower-cases link ids', () => {
    const link = {
      traceId: TRACE_ID.toUpperCase(),
      spanId: 'ABCDEF0123456789',
    };
    const batch = mapOne({ links: [link] });

    expect(batch.items[0]?.links[0]?.trace_id).toBe(TRACE_ID);
    expect(batch.items[0]?.links[0]?.span_id).toBe('abcdef0123456789');
  });
});

describe('mapTraceRequest int64 attributes', () => {
  it.each([
    ['"25"', '25'],
    ['7', 7],
    ['"9007199254740993"', '9007199254740993'],
    ['"-12"', '-12'],
  ])('keeps intValue %s exactly', (_label, sent) => {
    const attributes = [{ key: 'retries', value: { intValue: sent } }];
    const batch = mapOne({ attributes });

    const value = batch.items[0]?.attributes.retries;
    expect(value).toEqual({ intValue: String(sent) });
  });

  it.each(['12abc', '1.5', '', '0x10', 1.5])(
    'rejects intValue %j naming the attribute',
    (sent) => {
      const attributes = [{ key: 'retries', value: { intValue: sent } }];
      const batch = mapOne({ attributes });

      expect(batch.items).toHaveLength(0);
      expect(batch.rejected[0]?.reason).toContain(
        'attributes["retries"].intValue: invalid integer',
      );
    },
  );

  it('rejects an integer JSON number above 2^53', () => {
    const attributes = [{ key: 'big', value: { intValue: 2 ** 60 } }];
    const batch = mapOne({ attributes });

    expect(batch.rejected[0]?.reason).toContain('send 64-bit integers as');
  });

  it('rejects an intValue outside int64', () => {
    const attributes = [
      { key: 'big', value: { intValue: '9223372036854775808' } },
    ];
    const batch = mapOne({ attributes });

    expect(batch.rejected[0]?.reason).toContain('outside the range of int64');
  });

  it.each([
    ['startTimeUnixNano', { startTimeUnixNano: '17abc' }],
    ['endTimeUnixNano', { endTimeUnixNano: -5 }],
    ['events[0].timeUnixNano', { events: [{ timeUnixNano: 'soon' }] }],
  ])('rejects an invalid %s', (field, fields) => {
    const batch = mapOne(fields);

    expect(batch.rejected[0]?.reason).toContain(`.${field}: invalid integer`);
  });

  it('keeps nanosecond times beyond 2^53 exactly', () => {
    const batch = mapOne({
      startTimeUnixNano: at(T0, 1),
      endTimeUnixNano: at(T0, 3),
    });

    expect(batch.items[0]?.start_time_unix_nano).toBe(T0 + 1n);
    expect(batch.items[0]?.end_time_unix_nano).toBe(T0 + 3n);
  });
});

describe('mapTraceRequest attribute types', () => {
  it('keeps every AnyValue type', () => {
    const attributes = [
      str('s', 'text'),
      { key: 'b', value: { boolValue: true } },
      { key: 'i', value: { intValue: '-3' } },
      { key: 'd', value: { doubleValue: 0.25 } },
      { key: 'y', value: { bytesValue: 'AAEC' } },
      {
        key: 'a',
        value: {
          arrayValue: { values: [{ intValue: 1 }, { stringValue: 'x' }] },
        },
      },
      { key: 'k', value: { kvlistValue: { values: [str('inner', 'v')] } } },
      { key: 'e', value: {} },
    ];
    const batch = mapOne({ attributes });

    expect(batch.items[0]?.attributes).toEqual({
      s: { stringValue: 'text' },
      b: { boolValue: true },
      i: { intValue: '-3' },
      d: { doubleValue: 0.25 },
      y: { bytesValue: 'AAEC' },
      a: { arrayValue: { values: [{ intValue: '1' }, { stringValue: 'x' }] } },
      k: {
        kvlistValue: {
          values: [{ key: 'inner', value: { stringValue: 'v' } }],
        },
      },
      e: {},
    });
  });

  it.each([
    ['doubleValue "NaN"', { doubleValue: 'NaN' }, 'must be finite'],
    ['bytesValue "%%"', { bytesValue: '%%' }, 'expected base64'],
    ['boolValue "yes"', { boolValue: 'yes' }, 'expected true or false'],
    [
      'nested intValue "x"',
      { arrayValue: { values: [{ intValue: 'x' }] } },
      'arrayValue.values[0].intValue',
    ],
  ])('rejects %s', (_name, value, message) => {
    const batch = mapOne({ attributes: [{ key: 'v', value }] });

    expect(batch.rejected[0]?.reason).toContain(message);
  });

  it('rejects values nested deeper than the limit', () => {
    let value: object = { stringValue: 'leaf' };
    for (let i = 0; i < 40; i += 1) value = { arrayValue: { values: [value] } };
    const batch = mapOne({ attributes: [{ key: 'deep', value }] });

    expect(batch.rejected[0]?.reason).toContain('nested deeper than 32');
  });

  it('keeps values nested within the limit', () => {
    let value: object = { stringValue: 'leaf' };
    for (let i = 0; i < 30; i += 1)
      value = { kvlistValue: { values: [{ key: 'k', value }] } };
    const batch = mapOne({ attributes: [{ key: 'deep', value }] });

    expect(batch.items).toHaveLength(1);
  });

  it('keeps span, resource and scope attributes apart', () => {
    const request = traceRequest(
      [span(T0, { attributes: [str('http.route', '/orders')] })],
      resourceOf('checkout', [str('host.name', 'web-1')]),
      {
        name: 'orders-lib',
        version: '1.2.0',
        attributes: [str('lib.flag', 'on')],
      },
    );
    const item = mapTraceRequest(request).items[0];

    expect(item?.service).toBe('checkout');
    expect(item?.attributes).toEqual({
      'http.route': { stringValue: '/orders' },
    });
    expect(item?.resource).toEqual({
      'service.name': { stringValue: 'checkout' },
      'host.name': { stringValue: 'web-1' },
    });
    expect(item?.scope).toEqual({
      name: 'orders-lib',
      version: '1.2.0',
      attributes: { 'lib.flag': { stringValue: 'on' } },
    });
  });

  it('rejects every span of a resource with an invalid attribute', () => {
    const resource = {
      attributes: [{ key: 'pid', value: { intValue: '12abc' } }],
    };
    const spans = [span(T0), span(T0, { spanId: '1111111111111111' })];
    const batch = mapTraceRequest(traceRequest(spans, resource));

    expect(batch.items).toHaveLength(0);
    expect(batch.rejected).toHaveLength(2);
    expect(batch.rejected[1]?.reason).toContain(
      'resourceSpans[0].resource.attributes["pid"].intValue',
    );
  });
});

describe('mapTraceRequest defaults and fields', () => {
  it('stores a bare span with defaults', () => {
    const request = {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: TRACE_ID,
                  spanId: SPAN_ID,
                  name: 'bare',
                  startTimeUnixNano: at(T0, 0),
                  endTimeUnixNano: at(T0, 10),
                },
              ],
            },
          ],
        },
      ],
    };
    const item = mapTraceRequest(request).items[0];

    expect(item?.kind).toBe('unspecified');
    expect(item?.status).toEqual({ code: 'unset', message: '' });
    expect(item?.service).toBe('unknown_service');
    expect(item?.attributes).toEqual({});
    expect(item?.resource).toEqual({});
    expect(item?.scope).toEqual({ name: '', version: '', attributes: {} });
    expect(item?.events).toEqual([]);
    expect(item?.links).toEqual([]);
  });

  it.each([
    [{}],
    [{ resourceSpans: [] }],
    [{ resourceSpans: [{ scopeSpans: [] }] }],
    [{ resourceSpans: [{ scopeSpans: [{ spans: [] }] }] }],
  ])('maps %j to an empty batch', (request) => {
    const batch = mapTraceRequest(request);

    expect(batch).toEqual({ items: [], locations: [], rejected: [] });
  });

  it.each([
    [2, 'server'],
    [3, 'client'],
    [5, 'consumer'],
  ])('maps kind %i to %s', (kind, expected) => {
    expect(mapOne({ kind }).items[0]?.kind).toBe(expected);
  });

  it.each([
    [{ kind: 6 }, 'kind: invalid value 6'],
    [{ kind: 'SPAN_KIND_SERVER' }, 'kind: invalid integer'],
    [{ status: { code: 3 } }, 'status.code: invalid value 3'],
  ])('rejects enum %j', (fields, message) => {
    expect(mapOne(fields).rejected[0]?.reason).toContain(message);
  });

  it('reads status code 2 as an error with its message', () => {
    const item = mapOne({ status: { code: 2, message: 'timeout' } }).items[0];

    expect(item?.status).toEqual({ code: 'error', message: 'timeout' });
  });

  it('keeps events, links, trace state and dropped counts', () => {
    const item = mapOne({
      traceState: 'vendor=1',
      events: [
        {
          timeUnixNano: at(T0, 2),
          name: 'retry',
          attributes: [str('attempt', '2')],
          droppedAttributesCount: 1,
        },
      ],
      links: [{ traceId: TRACE_ID, spanId: SPAN_ID, traceState: 'k=v' }],
      droppedAttributesCount: 3,
      droppedEventsCount: 4,
      droppedLinksCount: 5,
    }).items[0];

    expect(item?.trace_state).toBe('vendor=1');
    expect(item?.events).toEqual([
      {
        time_unix_nano: T0 + 2n,
        name: 'retry',
        attributes: { attempt: { stringValue: '2' } },
        dropped_attributes_count: 1,
      },
    ]);
    expect(item?.links[0]?.trace_state).toBe('k=v');
    expect(item?.dropped_attributes_count).toBe(3);
    expect(item?.dropped_events_count).toBe(4);
    expect(item?.dropped_links_count).toBe(5);
  });

  it('rejects a span without a start time', () => {
    const batch = mapOne({ startTimeUnixNano: undefined });

    expect(batch.rejected[0]?.reason).toContain('startTimeUnixNano: missing');
  });

  it('rejects a span that is not an object', () => {
    const batch = mapTraceRequest(traceRequest(['span']));

    expect(batch.rejected[0]?.reason).toContain('expected an object');
  });

  it('raises on a spans field that is not an array', () => {
    const request = { resourceSpans: [{ scopeSpans: [{ spans: {} }] }] };

    expect(() => mapTraceRequest(request)).toThrow(
      'resourceSpans[0].scopeSpans[0].spans: invalid value {}: expected an array',
    );
  });
});

describe('mapTraceRequest clock skew', () => {
  it('keeps raw times and flags skew when the end precedes the start', () => {
    const item = mapOne({
      startTimeUnixNano: at(T0, 50_000_000),
      endTimeUnixNano: at(T0, 0),
    }).items[0];

    expect(item?.start_time_unix_nano).toBe(T0 + 50_000_000n);
    expect(item?.end_time_unix_nano).toBe(T0);
    expect(item?.duration_nano).toBe(0n);
    expect(item?.clock_skew).toBe(true);
    expect(item?.incomplete).toBe(false);
  });

  it('marks a span with end time "0" incomplete', () => {
    const item = mapOne({ endTimeUnixNano: '0' }).items[0];

    expect(item?.duration_nano).toBe(0n);
    expect(item?.incomplete).toBe(true);
    expect(item?.clock_skew).toBe(false);
  });

  it('keeps a 1 ns duration exactly', () => {
    const item = mapOne({
      startTimeUnixNano: at(T0, 1),
      endTimeUnixNano: at(T0, 2),
    }).items[0];

    expect(item?.duration_nano).toBe(1n);
  });
});
