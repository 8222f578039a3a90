import type { DuckDBConnection } from '@duckdb/node-api';
import type { Span, StatusCode } from '../../model/span.js';
import type { EdgeSpan } from '../../topology/model.js';

/**
 * A `span_window` CTE: the earliest first start and the latest last start
 * that `trace_bounds` records for the traces in `spans_staging`. Use it
 * after the bounds were widened with the batch. Then every staged trace
 * has bounds that contain its staged starts, which lie in [$low, $high],
 * so that range finds the bounds without a full scan. The bounds contain
 * every stored span of those traces, so the window does too.
 *
 * Trace and span ids are random, so DuckDB's per-row-group min/max
 * statistics skip no row group on them, but they skip row groups whose
 * starts lie outside the window. For a batch of recent traces the window
 * covers only the newest row groups, whatever the size of the table.
 */
export const SPAN_WINDOW = `
WITH span_window AS (
  SELECT min(first_start_unix_nano) AS first_start,
    max(last_start_unix_nano) AS last_start
  FROM trace_bounds
  WHERE last_start_unix_nano >= $low AND first_start_unix_nano <= $high
    AND trace_id IN (SELECT trace_id FROM spans_staging)
)`;

/**
 * Reads the stored spans of the staged batch's traces, with only the
 * columns calls between services derive from. It runs inside the write
 * transaction, after the spans and their `trace_bounds` were written, so
 * it reads the batch and everything committed before it.
 *
 * NOTE: every batch reads all stored spans of its traces, so a trace of
 * many thousands of spans sent in small batches is read many times.
 */
const READ_RELATED = `${SPAN_WINDOW}
SELECT s.trace_id, s.span_id, s.parent_span_id, s.service,
  s.start_time_unix_nano, s.duration_nano, s.clock_skew, s.incomplete,
  s.status_code
FROM spans s, span_window
WHERE s.start_time_unix_nano
    BETWEEN span_window.first_start AND span_window.last_start
  AND s.trace_id IN (SELECT trace_id FROM spans_staging)`;

interface RelatedRow {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  service: string;
  start_time_unix_nano: bigint;
  duration_nano: bigint;
  clock_skew: boolean;
  incomplete: boolean;
  status_code: string;
}

function edgeSpanFromRow(row: RelatedRow): EdgeSpan {
  return {
    trace_id: row.trace_id,
    span_id: row.span_id,
    parent_span_id: row.parent_span_id,
    service: row.service,
    start_time_unix_nano: row.start_time_unix_nano,
    duration_nano: row.duration_nano,
    clock_skew: row.clock_skew,
    incomplete: row.incomplete,
    status: { code: row.status_code as StatusCode },
  };
}

/**
 * Finds the earliest and latest start of a non-empty batch: the `$low`
 * and `$high` parameters of `SPAN_WINDOW`.
 */
export function startRange(spans: readonly Span[]) {
  let low = spans[0]?.start_time_unix_nano ?? 0n;
  let high = low;
  for (const span of spans) {
    if (span.start_time_unix_nano < low) low = span.start_time_unix_nano;
    if (span.start_time_unix_nano > high) high = span.start_time_unix_nano;
  }
  return { low, high };
}

/**
 * Returns every stored span of the traces in `spans_staging`, which
 * contains `spans`. Call it inside the write transaction, after the
 * bounds were widened with the batch.
 */
export async function readRelatedSpans(
  connection: DuckDBConnection,
  spans: readonly Span[],
): Promise<EdgeSpan[]> {
  const reader = await connection.runAndReadAll(
    READ_RELATED,
    startRange(spans),
  );
  return (reader.getRowObjects() as unknown as RelatedRow[]).map(
    edgeSpanFromRow,
  );
}
