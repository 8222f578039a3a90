import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Span } from '#shared/model/span.js';
import { DuckDb } from '#shared/store/duckdb/database.js';
import { DuckDbTraceStore } from '#shared/store/duckdb/trace-store.js';
import { MS, makeSpan } from '#test/support/spans.js';

const T0 = 1_780_000_000_000n * MS;
const HOUR = 3_600_000n * MS;
const OLD_TRACE = '7d3f0c1e9a8b4c2d6e5f4a3b2c1d0e9f';
const NEW_TRACE = 'c4a1e8f27b3d4e6f9a0b1c2d3e4f5a6b';

function spanOf(traceId: string, n: number, start: bigint, name = 'GET /') {
  return makeSpan({
    trace_id: traceId,
    span_id: n.toString(16).padStart(16, '0'),
    start_time_unix_nano: start,
    name,
  });
}

/**
 * The span write looks for stored repeats only between the bounds that
 * `trace_bounds` records for the batch's traces. Each test stores a span
 * of OLD_TRACE three hours before T0 first. Most batches then repeat it
 * outside the batch's own start range or outside the trace's bounds as
 * stored before the batch. A window taken from either misses the stored
 * copy, and the write then fails on the primary key.
 */
describe('duckdb span write: repeats outside the batch time', () => {
  let db: DuckDb;
  let store: DuckDbTraceStore;
  const stored = spanOf(OLD_TRACE, 1, T0 - 3n * HOUR, 'stored');

  beforeEach(async () => {
    db = await DuckDb.open(':memory:');
    store = new DuckDbTraceStore(db);
    await store.init();
    await store.write([stored]);
  });
  afterEach(() => db.close());

  const cases: [string, Span[], number][] = [
    [
      'a repeat with its stored start beside new traces',
      [spanOf(NEW_TRACE, 2, T0), spanOf(OLD_TRACE, 1, T0 - 3n * HOUR, 'x')],
      1,
    ],
    [
      'a repeat sent with a later start',
      [spanOf(NEW_TRACE, 2, T0), spanOf(OLD_TRACE, 1, T0, 'x')],
      1,
    ],
    [
      'a repeat sent with an earlier start',
      [spanOf(OLD_TRACE, 1, T0 - 5n * HOUR, 'x')],
      0,
    ],
    [
      'a stored trace extended now with a repeat',
      [spanOf(OLD_TRACE, 3, T0), spanOf(OLD_TRACE, 1, T0 + HOUR, 'x')],
      1,
    ],
  ];

  it.each(cases)('keeps the stored span for %s', async (_, batch, newSpans) => {
    const result = await store.write(batch);

    expect(result).toEqual({
      written: newSpans,
      duplicates: batch.length - newSpans,
      rejected: [],
    });
    const trace = await store.getTrace(OLD_TRACE);
    expect(trace.find((span) => span.span_id === stored.span_id)).toEqual(
      stored,
    );
  });

  it('stores the new spans of a batch that repeats an old one', async () => {
    const added = spanOf(OLD_TRACE, 3, T0);
    const other = spanOf(NEW_TRACE, 2, T0 + HOUR);

    await store.write([spanOf(OLD_TRACE, 1, T0, 'x'), added, other]);

    const trace = await store.getTrace(OLD_TRACE);
    expect(trace.map((span) => span.span_id).sort()).toEqual([
      stored.span_id,
      added.span_id,
    ]);
    expect(await store.getTrace(NEW_TRACE)).toEqual([other]);
  });

  it('keeps the first of two repeats in one batch across hours', async () => {
    const first = spanOf(NEW_TRACE, 2, T0 - 2n * HOUR, 'first');

    const result = await store.write([
      first,
      spanOf(NEW_TRACE, 2, T0, 'second'),
    ]);

    expect(result.written).toBe(1);
    expect(await store.getTrace(NEW_TRACE)).toEqual([first]);
  });
});
