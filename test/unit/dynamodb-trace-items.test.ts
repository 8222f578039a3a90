import { describe, expect, it } from 'vitest';
import type { Span } from '#shared/model/span.js';
import {
  itemSize,
  MAX_ITEM_BYTES,
  spanItemProblem,
  valueSize,
} from '#shared/store/aws/dynamodb/item-size.js';
import {
  spanFromItem,
  spanToItem,
} from '#shared/store/aws/dynamodb/span-item.js';
import {
  MAX_SUMMARY_OPERATIONS,
  summarizeTrace,
  summaryItems,
} from '#shared/store/aws/dynamodb/trace-summary.js';
import { MS, makeSpan } from '#test/support/spans.js';

const T0 = 1_780_000_000_000n * MS;
const TRACE = '0af7651916cd43dd8448eb211c80319c';

function span(id: number, overrides: Partial<Span> = {}): Span {
  return makeSpan({
    trace_id: TRACE,
    span_id: id.toString(16).padStart(16, '0'),
    start_time_unix_nano: T0 + BigInt(id) * MS,
    ...overrides,
  });
}

describe('span items', () => {
  it('round-trip 64-bit values exactly', () => {
    const max = 2n ** 64n - 1n;
    const original = span(1, {
      start_time_unix_nano: max - 5n,
      end_time_unix_nano: max,
      attributes: { big: { intValue: '-9223372036854775808' } },
      events: [
        {
          time_unix_nano: max,
          name: 'e',
          attributes: {},
          dropped_attributes_count: 0,
        },
      ],
    });

    expect(spanFromItem(spanToItem(original, 30))).toEqual(original);
  });

  it('hold no bigint and no unsafe number', () => {
    const item = spanToItem(span(1), 30);
    const values = Object.values(item);

    expect(values.some((value) => typeof value === 'bigint')).toBe(false);
    for (const value of values) {
      if (typeof value === 'number') {
        expect(Number.isSafeInteger(value)).toBe(true);
      }
    }
  });

  it('omit the parent of a root span', () => {
    expect(spanToItem(span(1), 30)).not.toHaveProperty('parent_span_id');
  });
});

describe('item size', () => {
  it.each([
    ['a string by its UTF-8 bytes', 'ü', 2],
    ['a number at its maximum', 12, 21],
    ['a boolean', true, 1],
    ['a list', ['ab', 'c'], 3 + 3 + 2],
    ['a map', { ab: 'c' }, 3 + 1 + 2 + 1],
  ])('counts %s', (_label, value, size) => {
    expect(valueSize(value)).toBe(size);
  });

  it('counts attribute names', () => {
    expect(itemSize({ pk: 'x', count: 1 })).toBe(2 + 1 + 5 + 21);
  });

  it('accepts an ordinary span', () => {
    const item = spanToItem(span(1), 30);

    expect(spanItemProblem('svc-a', item)).toBeUndefined();
  });

  it('reports a span above the item limit', () => {
    const big = span(1, {
      attributes: { blob: { stringValue: 'x'.repeat(MAX_ITEM_BYTES) } },
    });

    expect(spanItemProblem('svc-a', spanToItem(big, 30))).toMatch(
      /above the 409600-byte item limit/,
    );
  });

  it('reports a service name too long for a key', () => {
    const service = 'é'.repeat(501);

    expect(spanItemProblem(service, {})).toMatch(/service name is 1002 bytes/);
  });
});

describe('summarizeTrace', () => {
  it('takes the earliest span without a parent as root', () => {
    const spans = [
      span(3, { name: 'late root' }),
      span(2, { name: 'root' }),
      span(1, { name: 'child', parent_span_id: span(2).span_id }),
    ];

    expect(summarizeTrace(spans)?.root_name).toBe('root');
  });

  it('prefers a root to an orphan that starts earlier', () => {
    const spans = [
      span(1, { name: 'orphan', parent_span_id: 'f'.repeat(16) }),
      span(2, { name: 'root' }),
    ];

    expect(summarizeTrace(spans)?.root_name).toBe('root');
  });

  it('takes the earliest orphan while no root is stored', () => {
    const spans = [
      span(2, { name: 'second', parent_span_id: 'f'.repeat(16) }),
      span(1, { name: 'first', parent_span_id: 'e'.repeat(16) }),
    ];

    expect(summarizeTrace(spans)?.root_name).toBe('first');
  });

  it('breaks a start tie by span id', () => {
    const spans = [
      span(2, { name: 'b', start_time_unix_nano: T0 }),
      span(1, { name: 'a', start_time_unix_nano: T0 }),
    ];

    expect(summarizeTrace(spans)?.root_name).toBe('a');
  });

  it('counts spans and errors and sorts services', () => {
    const summary = summarizeTrace([
      span(1, { service: 'svc-b' }),
      span(2, { service: 'svc-a', status: { code: 'error', message: '' } }),
      span(3, { service: 'svc-b' }),
    ]);

    expect(summary?.span_count).toBe(3);
    expect(summary?.error_count).toBe(1);
    expect(summary?.services).toEqual(['svc-a', 'svc-b']);
  });

  it('returns undefined for no spans', () => {
    expect(summarizeTrace([])).toBeUndefined();
  });
});

describe('summaryItems', () => {
  it('builds one item per service with its span starts', () => {
    const items = summaryItems(
      [
        span(1, { service: 'svc-a', name: 'GET' }),
        span(5, { service: 'svc-b', name: 'SELECT' }),
        span(9, { service: 'svc-b', name: 'INSERT' }),
      ],
      30,
    );

    const b = items.find((item) => item.service === 'svc-b');
    expect(items.map((item) => item.sk)).toEqual([
      'SUMMARY#svc-a#2026-05-28T20',
      'SUMMARY#svc-b#2026-05-28T20',
    ]);
    expect(b?.first_start_ns).toBe((T0 + 5n * MS).toString());
    expect(b?.last_start_ns).toBe((T0 + 9n * MS).toString());
    expect(b?.operations).toEqual(['INSERT', 'SELECT']);
    expect(b?.operations_complete).toBe(true);
    expect(b?.trace_index_sk).toBe(`0${T0 + MS}#${TRACE}`);
  });

  it('builds one item per hour of a service', () => {
    const nextHour = 3_600_000;

    const items = summaryItems(
      [span(1), span(2, { name: 'late' }), span(nextHour)],
      30,
    );

    expect(items.map((item) => item.trace_index_pk)).toEqual([
      'TRACES#svc-a#2026-05-28T20',
      'TRACES#svc-a#2026-05-28T21',
    ]);
    expect(items[0]?.operations).toEqual(['GET /', 'late']);
    expect(items[1]?.first_start_ns).toBe((T0 + 3_600_000n * MS).toString());
    expect(items[1]?.span_count).toBe(3);
  });

  it('marks the operations incomplete past the cap', () => {
    const spans = Array.from({ length: MAX_SUMMARY_OPERATIONS + 1 }, (_, i) =>
      span(i + 1, { name: `op-${i}` }),
    );

    const [item] = summaryItems(spans, 30);

    expect(item?.operations).toHaveLength(MAX_SUMMARY_OPERATIONS);
    expect(item?.operations_complete).toBe(false);
  });
});
