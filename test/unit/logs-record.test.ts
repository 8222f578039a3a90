import { describe, expect, it } from 'vitest';
import { toJson } from '#shared/http/json.js';
import { decodeLogCursor, encodeLogCursor } from '#shared/logs/cursor.js';
import {
  canonicalJson,
  type LogIdFields,
  logIdOf,
} from '#shared/logs/log-id.js';
import { logRecordFromInput } from '#shared/logs/record.js';
import { logInputSchema, nanosFromTimestamp } from '#shared/logs/schema.js';
import { apiLogOf } from '#shared/logs/view.js';

const T0_MS = Date.UTC(2026, 0, 15, 12, 0, 0);
const T0_NS = BigInt(T0_MS) * 1_000_000n;

const baseFields: LogIdFields = {
  service: 'checkout',
  time_unix_nano: T0_NS,
  body: { stringValue: 'paid' },
  trace_id: null,
  span_id: null,
};

describe('logIdOf', () => {
  it('returns the source id when one exists', () => {
    expect(logIdOf(baseFields, '3712345678901234567890')).toBe(
      '3712345678901234567890',
    );
  });

  it('hashes the record without a source id', () => {
    const id = logIdOf(baseFields);

    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(logIdOf({ ...baseFields })).toBe(id);
    expect(logIdOf(baseFields, '')).toBe(id);
  });

  it.each<[string, Partial<LogIdFields>]>([
    ['service', { service: 'cart' }],
    ['time', { time_unix_nano: T0_NS + 1n }],
    ['body', { body: { stringValue: 'paid!' } }],
    ['trace id', { trace_id: '7ca373f7c7e0f17df9965485593768ce' }],
    ['span id', { span_id: '46dfdbccdb1ddb89' }],
  ])('changes with the %s', (_name, change) => {
    expect(logIdOf({ ...baseFields, ...change })).not.toBe(logIdOf(baseFields));
  });

  it('ignores key order inside the body', () => {
    const a = {
      kvlistValue: { values: [{ key: 'k', value: { intValue: '1' } }] },
    };
    const b = {
      kvlistValue: { values: [{ value: { intValue: '1' }, key: 'k' }] },
    };

    expect(logIdOf({ ...baseFields, body: b as never })).toBe(
      logIdOf({ ...baseFields, body: a }),
    );
  });
});

describe('canonicalJson', () => {
  it('sorts keys and writes bigint exactly', () => {
    expect(canonicalJson({ b: 1, a: [9007199254740993n, null] })).toBe(
      '{"a":[9007199254740993,null],"b":1}',
    );
  });
});

describe('nanosFromTimestamp', () => {
  it.each<[number | string, bigint | undefined]>([
    [T0_MS, T0_NS],
    [String(T0_MS), T0_NS],
    ['2026-01-15T12:00:00Z', T0_NS],
    ['2026-01-15T12:00:00.5Z', T0_NS + 500_000_000n],
    ['2026-01-15T12:00:00.000000001Z', T0_NS + 1n],
    ['2026-01-15T12:00:00.999999999Z', T0_NS + 999_999_999n],
    ['2026-01-15T14:00:00.123456+02:00', T0_NS + 123_456_000n],
    ['yesterday', undefined],
    [-1, undefined],
  ])('reads %j', (value, nanos) => {
    expect(nanosFromTimestamp(value)).toBe(nanos);
  });
});

describe('log cursor', () => {
  it('round-trips time and id', () => {
    const cursor = { time_unix_nano: T0_NS + 7n, log_id: 'evt/1"x' };

    expect(decodeLogCursor(encodeLogCursor(cursor))).toEqual(cursor);
  });

  it.each(['', 'not-a-cursor', Buffer.from('[1,"a"]').toString('base64url')])(
    'rejects %j',
    (text) => {
      expect(decodeLogCursor(text)).toBeUndefined();
    },
  );
});

describe('logRecordFromInput', () => {
  function record(fields: Record<string, unknown>) {
    return logRecordFromInput(
      logInputSchema.parse({ service: 'api', ...fields }),
      T0_MS,
    );
  }

  it('renders a structured body as JSON text for search', () => {
    const log = record({ body: { user: 'ada', attempts: 3 } });

    expect(log.message).toBe('{"user":"ada","attempts":3}');
    expect(log.body).toEqual({
      kvlistValue: {
        values: [
          { key: 'user', value: { stringValue: 'ada' } },
          { key: 'attempts', value: { intValue: '3' } },
        ],
      },
    });
  });

  it('stamps the observed time from the clock', () => {
    const log = record({ message: 'm', timestamp: T0_MS - 5 });

    expect(log.observed_time_unix_nano).toBe(T0_NS);
    expect(log.time_unix_nano).toBe(T0_NS - 5_000_000n);
  });

  it('treats empty ids as absent', () => {
    const log = record({ message: 'm', trace_id: '', span_id: '' });

    expect(log.trace_id).toBeNull();
    expect(log.span_id).toBeNull();
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['both message and body', { message: 'a', body: 'b' }, 'body'],
    ['neither message nor body', {}, 'message'],
    [
      'both timestamp forms',
      { message: 'a', timestamp: 1, time_unix_nano: '1' },
      'timestamp',
    ],
    ['no service', { service: undefined, message: 'a' }, 'service'],
    [
      'a severity number above 24',
      { message: 'a', severity_number: 25 },
      'severity_number',
    ],
  ])('rejects %s', (_name, fields, path) => {
    const result = logInputSchema.safeParse({ service: 'api', ...fields });

    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual([path]);
  });
});

describe('apiLogOf', () => {
  it('writes 64-bit attributes as exact JSON numbers', () => {
    const log = logRecordFromInput(
      logInputSchema.parse({ service: 'api', message: 'm' }),
      T0_MS,
    );
    log.attributes = { bytes: { intValue: '9007199254740993' } };

    const json = toJson(apiLogOf(log));

    expect(json).toContain('"attributes":{"bytes":9007199254740993}');
    expect(json).toContain(`"time_unix_nano":"${T0_NS}"`);
  });
});
