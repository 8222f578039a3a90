import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span } from '#shared/model/span.js';
import { DuckDb } from '#shared/store/duckdb/database.js';
import { DuckDbTraceStore } from '#shared/store/duckdb/trace-store.js';
import type { TraceListQuery } from '#shared/store/ports.js';
import { traceExtent } from '#shared/traces/assemble.js';
import { encodeTraceCursor } from '#shared/traces/cursor.js';
import { MS, makeSpan } from '#test/support/spans.js';

// The DuckDB list summarizes only the traces whose last span start reaches
// a bound taken from `trace_bounds`, and widens that bound until a page is
// full. These cases hold enough traces that pages of one or two traces take
// that path, and compare every page with a list built here from the spans.

const T0_MS = 1_780_000_000_000;
const T0 = BigInt(T0_MS) * MS;
const SECOND = 1_000n * MS;
const MINUTE = 60n * SECOND;

function traceId(n: number): string {
  return n.toString(16).padStart(32, '0');
}

function spanId(n: number): string {
  return n.toString(16).padStart(16, '0');
}

/** Builds a svc-a root `durationMs` long and a svc-b child at T0 + `start`. */
function plainTrace(n: number, start: bigint, durationMs = 30) {
  const begin = T0 + start;
  const root = makeSpan({
    trace_id: traceId(n),
    span_id: spanId(1),
    name: 'GET /checkout',
    start_time_unix_nano: begin,
    end_time_unix_nano: begin + BigInt(durationMs) * MS,
  });
  const child = makeSpan({
    trace_id: traceId(n),
    span_id: spanId(2),
    parent_span_id: spanId(1),
    service: 'svc-b',
    name: 'SELECT',
    start_time_unix_nano: begin + 5n * MS,
    end_time_unix_nano: begin + 15n * MS,
  });
  return { root, child };
}

/** Builds a span whose end lies before its start, so it has clock skew. */
function skewedSpan(n: number, start: bigint): Span {
  return makeSpan({
    trace_id: traceId(n),
    span_id: spanId(9),
    parent_span_id: spanId(1),
    start_time_unix_nano: T0 + start,
    end_time_unix_nano: T0 + start - SECOND,
  });
}

/**
 * Builds trace `n` of the background, one every 50 s from T0 on. Some
 * traces repeat the start of the one before, some have a skewed span half
 * an hour before the root, some a svc-c span 25 minutes after it, and some
 * an error, a rare operation or an attribute.
 */
function backgroundTrace(n: number) {
  const start = BigInt(n % 13 === 0 ? n - 1 : n) * 50n * SECOND;
  const { root, child } = plainTrace(n, start, (n % 9) * 10 + 10);
  const extra: Span[] = [];
  if (n % 17 === 0) {
    root.name = 'POST /rare';
    root.attributes = { 'http.route': { stringValue: '/rare' } };
  }
  if (n % 19 === 0) child.status = { code: 'error', message: 'timeout' };
  if (n % 7 === 0) extra.push(skewedSpan(n, start - 30n * MINUTE));
  if (n % 11 === 0) {
    const late = T0 + start + 25n * MINUTE;
    extra.push(
      makeSpan({
        trace_id: traceId(n),
        span_id: spanId(3),
        parent_span_id: spanId(1),
        service: 'svc-c',
        name: 'consume',
        start_time_unix_nano: late,
        end_time_unix_nano: late + 10n * MS,
      }),
    );
  }
  return { root, rest: [child, ...extra] };
}

const SKEWED_NEWEST = 101;
const ROOT_LAST = 102;
const LONG_OLD = 103;
const BEFORE_RANGE = 104;
const DUPLICATE = 105;
const ALL_SKEWED = 106;

/** Builds the traces that a wrong bound would misplace, in write order. */
function edgeTraces(): Span[][] {
  // The newest start belongs to a trace whose first span is skewed and
  // starts near T0, almost an hour before the trace's start.
  const skewed = plainTrace(SKEWED_NEWEST, 59n * MINUTE + 50n * SECOND);

  // The child comes first and looks newest; the root arrives later.
  const rootLast = plainTrace(ROOT_LAST, 3n * SECOND);
  rootLast.child.start_time_unix_nano = T0 + 59n * MINUTE;
  rootLast.child.end_time_unix_nano = T0 + 59n * MINUTE + MS;

  // Started early, still running when the newest traces started.
  const long = plainTrace(LONG_OLD, 5n * SECOND);
  long.child.start_time_unix_nano = T0 + 59n * MINUTE + 55n * SECOND;
  long.child.end_time_unix_nano = T0 + 59n * MINUTE + 56n * SECOND;

  // The svc-a child lies in the range, the failed root ten minutes before.
  const before = plainTrace(BEFORE_RANGE, 30n * SECOND);
  before.root.service = 'svc-x';
  before.root.start_time_unix_nano = T0 - 10n * MINUTE;
  before.root.status = { code: 'error', message: 'refused' };
  before.child.service = 'svc-a';

  const duplicate = plainTrace(DUPLICATE, 12n * MINUTE);
  const rejected = { ...duplicate.root, name: 'other' };
  rejected.start_time_unix_nano = T0 + 59n * MINUTE + 58n * SECOND;
  rejected.end_time_unix_nano = rejected.start_time_unix_nano + MS;

  const allSkewed = [
    skewedSpan(ALL_SKEWED, 40n * MINUTE),
    { ...skewedSpan(ALL_SKEWED, 41n * MINUTE), span_id: spanId(8) },
  ];

  return [
    [skewed.root, skewed.child, skewedSpan(SKEWED_NEWEST, MINUTE)],
    [rootLast.child, long.root, long.child, before.root, before.child],
    [duplicate.root, duplicate.child, ...allSkewed],
    [rootLast.root, rejected],
  ];
}

/** Builds every batch of the data set, in write order. */
function dataSet(): Span[][] {
  const background = Array.from({ length: 60 }, (_, i) =>
    backgroundTrace(i + 1),
  );
  // Every fifth root arrives after all the other spans.
  const early = background.flatMap(({ root, rest }, i) =>
    (i + 1) % 5 === 0 ? rest : [root, ...rest],
  );
  const late = background
    .filter((_, i) => (i + 1) % 5 === 0)
    .map(({ root }) => root);
  return [early, ...edgeTraces(), late];
}

/** Returns the spans a store keeps: the first of each trace and span id. */
function storedSpans(batches: Span[][]): Map<string, Span[]> {
  const seen = new Set<string>();
  const traces = new Map<string, Span[]>();
  for (const span of batches.flat()) {
    const key = `${span.trace_id}/${span.span_id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    traces.set(span.trace_id, [...(traces.get(span.trace_id) ?? []), span]);
  }
  return traces;
}

function isHit(span: Span, query: TraceListQuery): boolean {
  const start = BigInt(query.start_ms) * MS;
  const end = BigInt(query.end_ms) * MS;
  const attributes = Object.entries(query.attributes ?? {});
  return (
    span.service === query.service &&
    span.start_time_unix_nano >= start &&
    span.start_time_unix_nano < end &&
    (query.operation === undefined || span.name === query.operation) &&
    attributes.every(([key, value]) => {
      const item = span.attributes[key];
      return (
        item !== undefined &&
        'stringValue' in item &&
        item.stringValue === value
      );
    })
  );
}

function passes(spans: Span[], query: TraceListQuery): boolean {
  const { duration } = traceExtent(spans);
  const { min_duration_nano: min, max_duration_nano: max } = query;
  return (
    spans.some((span) => isHit(span, query)) &&
    (min === undefined || duration >= min) &&
    (max === undefined || duration <= max) &&
    (!query.errors_only || spans.some((span) => span.status.code === 'error'))
  );
}

/** Builds the list as the trace assembly rules define it, unpaged. */
function expectedList(batches: Span[][], query: TraceListQuery) {
  return [...storedSpans(batches)]
    .filter(([, spans]) => passes(spans, query))
    .map(([id, spans]) => ({ id, start: traceExtent(spans).start }))
    .sort((a, b) =>
      a.start === b.start
        ? b.id.localeCompare(a.id)
        : a.start > b.start
          ? -1
          : 1,
    );
}

describe('duckdb trace list over many traces', () => {
  const batches = dataSet();
  let db: DuckDb;
  let store: DuckDbTraceStore;

  beforeAll(async () => {
    db = await DuckDb.open(':memory:');
    store = new DuckDbTraceStore(db);
    await store.init();
    for (const batch of batches) await store.write(batch);
  });
  afterAll(() => db.close());

  const query = (overrides: Partial<TraceListQuery> = {}): TraceListQuery => ({
    service: 'svc-a',
    start_ms: T0_MS,
    end_ms: T0_MS + 3_600_000,
    limit: 1,
    ...overrides,
  });

  /** Pages through the whole list, checking each page's size and cursor. */
  async function listAll(request: TraceListQuery) {
    const items = [];
    let cursor: string | undefined;
    do {
      const page = await store.listTraces({ ...request, cursor });
      items.push(...page.items);
      cursor = page.next_cursor;
      if (cursor) expect(page.items).toHaveLength(request.limit);
      else expect(page.items.length).toBeLessThanOrEqual(request.limit);
    } while (cursor);
    return items;
  }

  let inTwos: ReturnType<typeof listAll> | undefined;
  /** Reads the whole svc-a list in pages of two, once for several cases. */
  function pagedInTwos() {
    inTwos ??= listAll(query({ limit: 2 }));
    return inTwos;
  }

  it('lists a skewed trace by its earliest unskewed span', async () => {
    const page = await store.listTraces(query());

    expect(page.items.map((t) => t.trace_id)).toEqual([traceId(SKEWED_NEWEST)]);
    expect(page.items[0]?.start_time_unix_nano).toBe(
      T0 + 59n * MINUTE + 50n * SECOND,
    );
  });

  it.each([
    ['a root that arrives last', ROOT_LAST, T0 + 3n * SECOND],
    ['a long trace', LONG_OLD, T0 + 5n * SECOND],
    ['a trace begun before the range', BEFORE_RANGE, T0 - 10n * MINUTE],
    ['a rejected duplicate', DUPLICATE, T0 + 12n * MINUTE],
    ['only skewed spans', ALL_SKEWED, T0 + 40n * MINUTE],
  ])('places a trace with %s by its start', async (_label, n, start) => {
    const items = await pagedInTwos();
    const ids = items.map((t) => t.trace_id);
    const expected = expectedList(batches, query()).map((t) => t.id);

    expect(
      items.find((t) => t.trace_id === traceId(n))?.start_time_unix_nano,
    ).toBe(start);
    expect(ids.indexOf(traceId(n))).toBe(expected.indexOf(traceId(n)));
  });

  it('pages through traces that share a start', async () => {
    const ids = (await listAll(query())).map((t) => t.trace_id);
    const tied = [traceId(52), traceId(51)];

    expect(ids.indexOf(tied[0] ?? '') + 1).toBe(ids.indexOf(tied[1] ?? ''));
    expect(ids).toEqual(expectedList(batches, query()).map((t) => t.id));
  });

  it('widens the candidates until sparse errors fill a page', async () => {
    const items = await listAll(query({ errors_only: true, limit: 2 }));

    expect(items.map((t) => t.trace_id)).toEqual(
      [57, 38, 19, BEFORE_RANGE].map(traceId),
    );
  });

  it('returns an empty list when no candidate passes', async () => {
    const page = await store.listTraces(query({ operation: 'DELETE /none' }));

    expect(page).toEqual({ items: [] });
  });

  it.each([
    [
      'after the last 64-bit time',
      { start_ms: 8.64e15 - 60_000, end_ms: 8.64e15 },
    ],
    ['before the first 64-bit time', { start_ms: -8.64e15 }],
  ])('reads a range that starts %s', async (_label, range) => {
    const request = query({ ...range, limit: 2 });

    const items = await listAll(request);

    expect(items.map((t) => t.trace_id)).toEqual(
      expectedList(batches, request).map((t) => t.id),
    );
  });

  it('reads below a cursor past the last 64-bit time', async () => {
    const cursor = encodeTraceCursor({
      start_time_unix_nano: 9_999_999_999_999_999_999n,
      trace_id: 'f'.repeat(32),
    });

    const page = await store.listTraces(query({ cursor }));

    expect(page.items.map((t) => t.trace_id)).toEqual([traceId(SKEWED_NEWEST)]);
  });

  it.each([
    ['no filter', {}],
    ['a child service', { service: 'svc-b' }],
    ['a service of late spans', { service: 'svc-c' }],
    ['errors', { errors_only: true }],
    ['a minimum duration', { min_duration_nano: 90n * MS }],
    ['a maximum duration', { max_duration_nano: 20n * MS }],
    [
      'a duration band',
      { min_duration_nano: 40n * MS, max_duration_nano: 50n * MS },
    ],
    ['a rare operation', { operation: 'POST /rare' }],
    ['an attribute', { attributes: { 'http.route': '/rare' } }],
    [
      'errors and a duration',
      { errors_only: true, min_duration_nano: 50n * MS },
    ],
    [
      'a range inside the data',
      { start_ms: T0_MS + 1_200_000, end_ms: T0_MS + 2_400_000 },
    ],
    ['a range after the roots', { start_ms: T0_MS + 3_000_000 }],
  ] as const)('pages in list order with %s', async (_label, filter) => {
    for (const limit of [1, 2]) {
      const request = query({ ...filter, limit });

      const items = await listAll(request);

      expect(items.map((t) => [t.trace_id, t.start_time_unix_nano])).toEqual(
        expectedList(batches, request).map((t) => [t.id, t.start]),
      );
    }
  });
});
