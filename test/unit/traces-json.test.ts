import { describe, expect, it } from 'vitest';
import type { Span } from '#shared/model/span.js';
import { readJsonSpan } from '#shared/traces/from-json.js';
import {
  durationMs,
  nanosFromDecimal,
  nanosFromTimestamp,
} from '#shared/traces/timestamps.js';

const TRACE_ID = '9e2a3dc06074b17540d54de4e51e735f';
const T0_MS = Date.parse('2026-02-10T08:00:00.000Z');

const base = {
  trace_id: TRACE_ID,
  span_id: '5b8efff798038103',
  name: 'GET /',
  start_time: T0_MS,
  end_time: T0_MS + 10,
};

function read(raw: unknown, requestTraceId?: string): Span {
  const reading = readJsonSpan(raw, requestTraceId);
  if ('reason' in reading) throw new Error(reading.reason);
  return reading.span;
}

function reason(raw: unknown, requestTraceId?: string): string {
  const reading = readJsonSpan(raw, requestTraceId);
  if ('span' in reading) throw new Error('expected a rejection');
  return reading.reason;
}

describe('readJsonSpan', () => {
  it('fills defaults for optional fields', () => {
    const span = read(base);

    expect(span.kind).toBe('unspecified');
    expect(span.status).toEqual({ code: 'unset', message: '' });
    expect(span.service).toBe('unknown_service');
    expect(span.parent_span_id).toBeNull();
    expect(span.attributes).toEqual({});
    expect(span.duration_nano).toBe(10_000_000n);
  });

  it('stores ids in lower case', () => {
    const span = read({
      ...base,
      trace_id: TRACE_ID.toUpperCase(),
      span_id: '5B8EFFF798038103',
      parent_span_id: 'ABCDEF0123456789',
    });

    expect(span.trace_id).toBe(TRACE_ID);
    expect(span.span_id).toBe('5b8efff798038103');
    expect(span.parent_span_id).toBe('abcdef0123456789');
  });

  it.each([
    ['a 16-digit trace id', { trace_id: TRACE_ID.slice(16) }, 'trace_id'],
    ['a base64 trace id', { trace_id: 'nio9wGB0sXVA1U3k5R5zXw==' }, 'trace_id'],
    ['an all-zero trace id', { trace_id: '0'.repeat(32) }, 'all zeros'],
    ['a short span id', { span_id: '5b8e' }, 'span_id'],
    ['a bad parent id', { parent_span_id: 'xyz' }, 'parent_span_id'],
    ['an unknown kind', { kind: 'sideways' }, 'kind'],
    ['an unknown status', { status: { code: 'bad' } }, 'status.code'],
    ['a misspelt field', { atributes: {} }, 'atributes'],
    ['a missing name', { name: undefined }, 'name'],
    ['an invalid start', { start_time: 'yesterday' }, 'start_time'],
    ['a missing start', { start_time: undefined }, 'start_time'],
    ['nanos with letters', { end_time_unix_nano: '12abc' }, 'end_time_unix'],
    ['nanos beyond 64 bits', { end_time_unix_nano: '9'.repeat(20) }, 'end_'],
    ['an unsafe nanos number', { end_time_unix_nano: 2 ** 60 }, 'end_time_'],
    ['two start fields', { start_time_unix_nano: '1' }, 'only one'],
    ['an event without time', { events: [{ name: 'e' }] }, 'events[0].time'],
    ['a blank service', { service: '   ' }, 'service'],
    ['a service with a NUL', { service: 'a\u0000b' }, 'control characters'],
  ])('rejects %s', (_label, change, field) => {
    const { end_time: _end, ...withoutEnd } = base;
    const input = 'end_time_unix_nano' in change ? withoutEnd : base;

    expect(reason({ ...input, ...change })).toContain(field);
  });

  it('rejects a trace id that differs from the request', () => {
    const other = '4bf92f3577b34da6a3ce929d0e0e4736';

    expect(reason(base, other)).toContain('differs');
  });

  it('takes the trace id from the request when absent', () => {
    const { trace_id: _omitted, ...span } = base;

    expect(read(span, TRACE_ID).trace_id).toBe(TRACE_ID);
    expect(reason(span)).toContain('trace_id');
  });

  it('reads kind and status case-insensitively', () => {
    const span = read({
      ...base,
      kind: 'SERVER',
      status: { code: 'Error', message: 'timeout' },
    });

    expect(span.kind).toBe('server');
    expect(span.status).toEqual({ code: 'error', message: 'timeout' });
  });

  it('reads nanosecond strings exactly', () => {
    const span = read({
      ...base,
      start_time: undefined,
      end_time: undefined,
      start_time_unix_nano: '1770710400000000001',
      end_time_unix_nano: '1770710400000000002',
    });

    expect(span.start_time_unix_nano).toBe(1770710400000000001n);
    expect(span.duration_nano).toBe(1n);
  });

  it('marks a span without end time incomplete', () => {
    const span = read({ ...base, end_time: undefined });

    expect(span.end_time_unix_nano).toBe(0n);
    expect(span.incomplete).toBe(true);
    expect(span.duration_nano).toBe(0n);
  });

  it('keeps an end before the start as clock skew', () => {
    const span = read({ ...base, end_time: T0_MS - 50 });

    expect(span.end_time_unix_nano).toBe(BigInt(T0_MS - 50) * 1_000_000n);
    expect(span.clock_skew).toBe(true);
    expect(span.duration_nano).toBe(0n);
  });

  it('names the service from the resource, then the field', () => {
    const resource = { 'service.name': 'from-resource' };

    expect(read({ ...base, resource }).service).toBe('from-resource');
    expect(read({ ...base, resource, service: 'field' }).service).toBe('field');
  });

  it('converts attributes to typed values', () => {
    const span = read({
      ...base,
      attributes: {
        text: 'a',
        int: 25,
        big: 9007199254740993n,
        ratio: 0.5,
        flag: true,
        none: null,
        list: [1, 'b'],
        'dotted.key': { nested: 1 },
      },
    });

    expect(span.attributes).toEqual({
      text: { stringValue: 'a' },
      int: { intValue: '25' },
      big: { intValue: '9007199254740993' },
      ratio: { doubleValue: 0.5 },
      flag: { boolValue: true },
      none: {},
      list: {
        arrayValue: { values: [{ intValue: '1' }, { stringValue: 'b' }] },
      },
      'dotted.key': {
        kvlistValue: { values: [{ key: 'nested', value: { intValue: '1' } }] },
      },
    });
  });

  it('reads events, links and scope', () => {
    const span = read({
      ...base,
      scope: { name: 'lib', version: '2.0' },
      events: [
        {
          name: 'retry',
          time: '2026-02-10T08:00:00.005Z',
          attributes: { n: 1 },
        },
        { name: 'done', time_unix_nano: '1770710400009000000' },
      ],
      links: [
        { trace_id: TRACE_ID.toUpperCase(), span_id: '5B8EFFF798038104' },
      ],
    });

    expect(span.scope).toEqual({ name: 'lib', version: '2.0', attributes: {} });
    expect(span.events.map((e) => e.time_unix_nano)).toEqual([
      BigInt(T0_MS + 5) * 1_000_000n,
      1770710400009000000n,
    ]);
    expect(span.events[0]?.attributes).toEqual({ n: { intValue: '1' } });
    expect(span.links[0]?.trace_id).toBe(TRACE_ID);
    expect(span.links[0]?.span_id).toBe('5b8efff798038104');
  });
});

describe('span timestamps', () => {
  it.each([
    ['2026-02-10T08:00:00Z', 1770710400000000000n],
    ['2026-02-10T08:00:00.123Z', 1770710400123000000n],
    ['2026-02-10T08:00:00.123456789Z', 1770710400123456789n],
    ['2026-02-10T08:00:00.1234567Z', 1770710400123456700n],
    ['2026-02-10T10:00:00.000000001+02:00', 1770710400000000001n],
    ['1770710400123', 1770710400123000000n],
    [1770710400123, 1770710400123000000n],
  ])('reads %s as epoch nanoseconds', (input, expected) => {
    expect(nanosFromTimestamp(input)).toBe(expected);
  });

  it.each([['tomorrow'], ['2026-13-45T00:00:00Z'], [-5]])(
    'rejects %s',
    (input) => {
      expect(nanosFromTimestamp(input)).toBeUndefined();
    },
  );

  it.each([
    ['9223372036854775807', 9223372036854775807n],
    ['0', 0n],
    [12, 12n],
    [12n, 12n],
  ])('reads decimal nanoseconds %s exactly', (input, expected) => {
    expect(nanosFromDecimal(input)).toBe(expected);
  });

  it.each([['9223372036854775808'], ['-1'], ['1.5'], [1.5], [2 ** 60]])(
    'rejects decimal nanoseconds %s',
    (input) => {
      expect(nanosFromDecimal(input)).toBeUndefined();
    },
  );

  it('converts durations to fractional milliseconds', () => {
    expect(durationMs(1n)).toBe(0.000001);
    expect(durationMs(30_000_000n)).toBe(30);
    expect(durationMs(1_500_000n)).toBe(1.5);
  });
});
