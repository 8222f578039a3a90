import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '#shared/clock.js';
import type { Deps } from '#shared/deps.js';
import { createLogger } from '#shared/logger.js';
import { MAX_LOG_ATTRIBUTES } from '#shared/logs/caps.js';
import { ingestLogItems, parseLogInput } from '#shared/logs/ingest.js';
import type { LogRecord } from '#shared/model/log.js';
import { openDuckDbStores } from '#shared/store/duckdb/stores.js';
import { T0_MS } from '#test/contract/log-store.contract.js';
import { TEST_CONFIG } from '#test/support/server.js';

const T0_NS = BigInt(T0_MS) * 1_000_000n;
const TRACE_ID = '7ca373f7c7e0f17df9965485593768ce';
const SPAN_ID = '46dfdbccdb1ddb89';
const NOT_JSON =
  'invalid value: expected a JSON string, finite number, boolean, null, ' +
  'array or object';
const NANOS_MESSAGE =
  'invalid time_unix_nano: expected epoch nanoseconds as a decimal string';

/** Parses one API item with service `api`, failing the test if invalid. */
function parsed(fields: Record<string, unknown>): LogRecord {
  const result = parseLogInput({ service: 'api', ...fields }, T0_MS);
  if ('reason' in result) throw new Error(result.reason);
  return result.record;
}

/** Returns why an API item with service `api` is rejected, if it is. */
function reasonOf(fields: Record<string, unknown>): string | undefined {
  const result = parseLogInput({ service: 'api', ...fields }, T0_MS);
  return 'reason' in result ? result.reason : undefined;
}

class Point {
  x = 1;
}

describe('parseLogInput', () => {
  it('maps every field of a full record', () => {
    const record = parsed({
      id: 'evt-1',
      time_unix_nano: String(T0_NS - 42n),
      level: 'warn',
      severity_text: 'Warning',
      message: 'disk almost full',
      trace_id: TRACE_ID.toUpperCase(),
      span_id: SPAN_ID,
      attributes: { 'disk.free': 3, mount: '/data' },
      resource: { 'host.name': 'web-1' },
    });

    expect(record).toEqual({
      service: 'api',
      time_unix_nano: T0_NS - 42n,
      body: { stringValue: 'disk almost full' },
      trace_id: TRACE_ID,
      span_id: SPAN_ID,
      level: 'WARN',
      severity_number: 13,
      severity_text: 'Warning',
      log_id: 'evt-1',
      observed_time_unix_nano: T0_NS,
      message: 'disk almost full',
      attributes: {
        'disk.free': { intValue: '3' },
        mount: { stringValue: '/data' },
      },
      resource: { 'host.name': { stringValue: 'web-1' } },
      scope: { name: '', version: '', attributes: {} },
    });
  });

  it('keeps every JSON type in body and attributes', () => {
    const big = 2n ** 53n + 1n;
    const plain = Object.assign(Object.create(null), { k: 'v' });
    const record = parsed({
      body: ['a', 1.5, big, true, null, { nested: [2] }, plain],
      attributes: { big, list: [false], none: null },
    });

    expect(record.body).toEqual({
      arrayValue: {
        values: [
          { stringValue: 'a' },
          { doubleValue: 1.5 },
          { intValue: big.toString() },
          { boolValue: true },
          {},
          {
            kvlistValue: {
              values: [
                {
                  key: 'nested',
                  value: { arrayValue: { values: [{ intValue: '2' }] } },
                },
              ],
            },
          },
          {
            kvlistValue: {
              values: [{ key: 'k', value: { stringValue: 'v' } }],
            },
          },
        ],
      },
    });
    expect(record.attributes).toEqual({
      big: { intValue: big.toString() },
      list: { arrayValue: { values: [{ boolValue: false }] } },
      none: {},
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      'undefined in a body object',
      { body: { a: { b: undefined } } },
      'body.a.b',
    ],
    ['NaN in a body array', { body: { a: [1, Number.NaN] } }, 'body.a[1]'],
    ['a hole in a body array', { body: [[undefined]] }, 'body[0][0]'],
    ['a function body', { body: () => 1 }, 'body'],
    ['a class instance body', { body: new Point() }, 'body'],
    [
      'a Date attribute',
      { message: 'm', attributes: { at: new Date(0) } },
      'attributes.at',
    ],
    [
      'Infinity in a resource list',
      { message: 'm', resource: { rates: [1, Number.POSITIVE_INFINITY] } },
      'resource.rates[1]',
    ],
    [
      'a symbol key',
      { message: 'm', attributes: { [Symbol('s')]: 1 } },
      'attributes.Symbol(s)',
    ],
  ])('rejects %s naming its path', (_case, fields, path) => {
    expect(reasonOf(fields)).toBe(`${path}: ${NOT_JSON}`);
  });

  it('drops a __proto__ key without changing the prototype', () => {
    const attributes = JSON.parse('{"__proto__": {"polluted": 1}, "a": 1}');
    const body = JSON.parse('{"__proto__": 2, "b": 3}');

    const record = parsed({ body, attributes });

    expect(Object.keys(record.attributes)).toEqual(['a']);
    expect(Object.getPrototypeOf(record.attributes)).toBe(Object.prototype);
    expect(record.message).toBe('{"b":3}');
  });

  it.each([['text'], [[1]], [null], [new Date(0)]])(
    'rejects attributes of %j',
    (attributes) => {
      expect(reasonOf({ message: 'm', attributes })).toBe(
        'attributes: invalid value: expected an object of keys and JSON values',
      );
    },
  );

  it('rejects more attribute keys than the cap', () => {
    const keys = (count: number) =>
      Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, i]));

    expect(
      reasonOf({ message: 'm', resource: keys(MAX_LOG_ATTRIBUTES + 1) }),
    ).toBe(
      `resource: too many keys: the limit is ${MAX_LOG_ATTRIBUTES} per record`,
    );
    expect(
      reasonOf({ message: 'm', resource: keys(MAX_LOG_ATTRIBUTES) }),
    ).toBeUndefined();
  });

  it.each<[string, unknown]>([
    ['letters', 'abc'],
    ['an empty string', ''],
    ['20 digits', '1'.repeat(20)],
    ['a value above 2^63 - 1', '9223372036854775808'],
    ['a negative bigint', -1n],
    ['a bigint above 2^63 - 1', 2n ** 64n],
    ['a JSON number', 1],
  ])('rejects time_unix_nano as %s', (_case, time) => {
    expect(reasonOf({ message: 'm', time_unix_nano: time })).toBe(
      `time_unix_nano: ${NANOS_MESSAGE}`,
    );
  });

  it.each<[string, unknown, bigint]>([
    ['the largest string', '9223372036854775807', 2n ** 63n - 1n],
    ['a bigint', T0_NS + 7n, T0_NS + 7n],
  ])('reads time_unix_nano as %s', (_case, time, nanos) => {
    expect(parsed({ message: 'm', time_unix_nano: time }).time_unix_nano).toBe(
      nanos,
    );
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      'a malformed trace_id once',
      { trace_id: 'xyz' },
      'trace_id: invalid trace_id: expected 32 hexadecimal digits',
    ],
    [
      'an all-zero span_id',
      { trace_id: TRACE_ID, span_id: '0'.repeat(16) },
      'span_id: invalid span_id: all zeros is not a valid id',
    ],
    [
      'a span_id of 17 digits',
      { trace_id: TRACE_ID, span_id: 'a'.repeat(17) },
      'span_id: invalid span_id: expected 16 hexadecimal digits',
    ],
  ])('reports %s', (_case, ids, reason) => {
    expect(reasonOf({ message: 'm', ...ids })).toBe(reason);
  });
});

describe('ingestLogItems', () => {
  let deps: Deps;

  beforeEach(async () => {
    const logger = createLogger('logs-schema-test');
    logger.setLogLevel('SILENT');
    deps = {
      config: TEST_CONFIG,
      stores: await openDuckDbStores(':memory:'),
      clock: fixedClock(T0_MS),
      logger,
    };
  });

  afterEach(async () => {
    await deps.stores.close();
  });

  it('stores valid items and reports a nested bad value', async () => {
    const report = await ingestLogItems(deps, [
      { service: 'api', message: 'kept 1' },
      { service: 'api', message: 'bad', attributes: { a: [Number.NaN] } },
      { service: 'api', message: 'kept 2' },
    ]);
    const page = await deps.stores.logs.search({
      start_ms: T0_MS - 60_000,
      end_ms: T0_MS + 60_000,
      limit: 10,
    });

    expect(report).toEqual({
      accepted: 2,
      rejected: [{ index: 1, reason: `attributes.a[0]: ${NOT_JSON}` }],
    });
    expect(page.items.map((item) => item.message).sort()).toEqual([
      'kept 1',
      'kept 2',
    ]);
  });
});
