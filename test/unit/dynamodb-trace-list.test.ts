import { describe, expect, it } from 'vitest';
import { durationStats } from '#shared/store/aws/dynamodb/operation-stats.js';
import { valueMatches } from '#shared/store/aws/dynamodb/span-match.js';
import {
  judgeGroup,
  judgeSummary,
  listBounds,
} from '#shared/store/aws/dynamodb/trace-list.js';
import type { SummaryItem } from '#shared/store/aws/dynamodb/trace-summary.js';
import type { TraceListQuery } from '#shared/store/ports.js';
import { encodeTraceCursor } from '#shared/traces/cursor.js';

const T0_MS = Date.UTC(2026, 4, 28, 20, 30);
const NS = (ms: number) => BigInt(ms) * 1_000_000n;
const TRACE = '0af7651916cd43dd8448eb211c80319c';

const query = (overrides: Partial<TraceListQuery> = {}): TraceListQuery => ({
  service: 'svc-a',
  start_ms: T0_MS,
  end_ms: T0_MS + 3_600_000,
  limit: 20,
  ...overrides,
});

describe('listBounds', () => {
  it('reads every hour of the range', () => {
    const bounds = listBounds(query());

    expect(bounds?.hours).toEqual(['2026-05-28T21', '2026-05-28T20']);
    expect(bounds?.before).toBeUndefined();
  });

  it('reads below the cursor', () => {
    const cursor = encodeTraceCursor({
      start_time_unix_nano: NS(T0_MS + 60_000),
      trace_id: TRACE,
    });

    const bounds = listBounds(query({ cursor }));

    expect(bounds?.before).toBe(`0${NS(T0_MS + 60_000)}#${TRACE}`);
    expect(bounds?.hours).toHaveLength(2);
  });

  it('returns undefined for an empty range', () => {
    expect(listBounds(query({ end_ms: T0_MS }))).toBeUndefined();
  });
});

describe('judgeGroup', () => {
  it.each([
    [['no match', 'match'], 'match'],
    [['no match', 'read trace'], 'read trace'],
    [['read trace', 'match'], 'match'],
    [['no match', 'no match'], 'no match'],
  ] as const)('combines %o into %s', (verdicts, expected) => {
    expect(judgeGroup([...verdicts])).toBe(expected);
  });
});

function summary(overrides: Partial<SummaryItem> = {}): SummaryItem {
  return {
    pk: `TRACE#${TRACE}`,
    sk: 'SUMMARY#svc-a',
    trace_index_pk: 'TRACES#svc-a#2026-05-28T20',
    trace_index_sk: `0${NS(T0_MS)}#${TRACE}`,
    trace_id: TRACE,
    service: 'svc-a',
    root_service: 'svc-a',
    root_name: 'GET',
    start_ns: NS(T0_MS + 10).toString(),
    duration_ns: '30000000',
    span_count: 2,
    error_count: 0,
    services: ['svc-a'],
    first_start_ns: NS(T0_MS + 10).toString(),
    last_start_ns: NS(T0_MS + 20).toString(),
    operations: ['GET', 'POST'],
    operations_complete: true,
    expires_at: 0,
    ...overrides,
  };
}

describe('judgeSummary', () => {
  const before = NS(T0_MS - 10).toString();
  const after = NS(T0_MS + 3_600_000).toString();

  it.each([
    ['a trace inside the range', {}, {}, 'match'],
    ['a listed operation', {}, { operation: 'POST' }, 'match'],
    ['an unlisted operation', {}, { operation: 'PUT' }, 'no match'],
    [
      'an operation past the cap',
      { operations_complete: false },
      { operation: 'PUT' },
      'read trace',
    ],
    ['an attribute filter', {}, { attributes: { a: 'b' } }, 'read trace'],
    ['spans before the range', { last_start_ns: before }, {}, 'no match'],
    ['spans from the range end', { first_start_ns: after }, {}, 'no match'],
    ['spans across the start', { first_start_ns: before }, {}, 'read trace'],
    ['a shorter trace', {}, { min_duration_nano: 31_000_000n }, 'no match'],
    ['a longer trace', {}, { max_duration_nano: 29_000_000n }, 'no match'],
    ['no errors', {}, { errors_only: true }, 'no match'],
    ['an error', { error_count: 1 }, { errors_only: true }, 'match'],
  ] as const)('judges %s', (_label, item, filters, verdict) => {
    expect(judgeSummary(summary(item), query(filters))).toBe(verdict);
  });
});

describe('valueMatches', () => {
  it.each([
    [{ stringValue: 'GET' }, 'GET', true],
    [{ stringValue: 'GET' }, 'get', false],
    [{ intValue: '9007199254740993' }, '9007199254740993', true],
    [{ intValue: '9007199254740993' }, '9007199254740992', false],
    [{ boolValue: true }, 'true', true],
    [{ boolValue: false }, 'true', false],
    [{ doubleValue: 0.5 }, '0.50', true],
    [{ doubleValue: 0 }, '', false],
    [{ bytesValue: 'AAE=' }, 'AAE=', true],
    [{ arrayValue: { values: [] } }, '[]', false],
    [{}, '', false],
    [undefined, 'x', false],
  ])('compares %o with %s', (value, text, expected) => {
    expect(valueMatches(value, text)).toBe(expected);
  });
});

describe('durationStats', () => {
  it('divides the exact sum for the mean', () => {
    // Adding these as doubles loses both ones: 2^53 + 1 rounds to 2^53.
    const stats = durationStats([2n ** 53n, 1n, 1n]);

    expect(stats.mean_nano).toBe(Number(2n ** 53n + 2n) / 3);
    expect(stats.count).toBe(3);
  });

  it('returns nulls for no durations', () => {
    const stats = durationStats([]);

    expect(stats.min_nano).toBeNull();
    expect(stats.mean_nano).toBeNull();
    expect(stats.p99_nano).toBeNull();
  });
});
