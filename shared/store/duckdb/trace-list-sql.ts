import type { DuckDBValue } from '@duckdb/node-api';
import type { TraceCursor } from '../../traces/cursor.js';
import type { TraceListQuery } from '../ports.js';
import { hitFilters, traceFilters } from './trace-list-filters.js';

const NANOS_PER_MS = 1_000_000n;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** A statement and its named parameters. */
export interface Statement {
  sql: string;
  params: Record<string, DuckDBValue>;
}

/**
 * Where a bounded round of the trace list starts ranking traces: the
 * `rank`-th latest first span start among the traces whose first start
 * reaches `guess`, or `guess` itself when fewer traces reach it.
 */
export interface CandidateWindow {
  guess: bigint;
  rank: bigint;
}

function clampToInt64(value: bigint): bigint {
  if (value < INT64_MIN) return INT64_MIN;
  return value > INT64_MAX ? INT64_MAX : value;
}

/**
 * Converts the time range to nanoseconds. The node client binds a
 * bigint as HUGEINT, and comparing a BIGINT column with a HUGEINT casts the
 * column, which stops DuckDB from filtering the scan on the column and from
 * skipping row groups by their min/max. So the statements cast these to
 * BIGINT, after they are clamped to its range. The exclusive end becomes
 * the inclusive `last`, so clamping changes no comparison with a column.
 */
function rangeParams(query: TraceListQuery): Record<string, DuckDBValue> {
  const start = BigInt(query.start_ms) * NANOS_PER_MS;
  const end = BigInt(query.end_ms) * NANOS_PER_MS;
  return {
    start: clampToInt64(start),
    last: clampToInt64(end - 1n),
  };
}

/**
 * Builds the conditions on `trace_bounds` that every trace on the list
 * meets: a span starts in the range, and the first span starts no later
 * than the cursor's trace.
 */
function boundsFilters(
  cursor: TraceCursor | undefined,
  params: Record<string, DuckDBValue>,
): string {
  const filters = [
    'last_start_unix_nano >= $start::BIGINT',
    'first_start_unix_nano <= $last::BIGINT',
  ];
  if (cursor) {
    params.cursor_first = clampToInt64(cursor.start_time_unix_nano);
    filters.push('first_start_unix_nano <= $cursor_first::BIGINT');
  }
  return filters.join(' AND ');
}

/** Builds the conditions on `spans` for a span that lists its trace. */
function hitConditions(
  query: TraceListQuery,
  params: Record<string, DuckDBValue>,
): string {
  params.service = query.service;
  return ['service = $service', 'start_time_unix_nano <= $last::BIGINT']
    .concat(hitFilters(query, params))
    .join(' AND ');
}

/**
 * Counts the traces that may be on the list, with the earliest and the
 * latest first span start among them, from `trace_bounds` alone.
 */
export function traceRangeSql(
  query: TraceListQuery,
  cursor: TraceCursor | undefined,
): Statement {
  const params = rangeParams(query);
  const sql = `
SELECT count(*) AS traces, min(first_start_unix_nano) AS oldest,
  max(first_start_unix_nano) AS newest
FROM trace_bounds WHERE ${boundsFilters(cursor, params)}`;
  return { sql, params };
}

/** The span columns a trace summary reads. */
const MEMBER_COLUMNS = [
  'trace_id',
  'span_id',
  'parent_span_id',
  'service',
  'name',
  'start_time_unix_nano',
  'end_time_unix_nano',
  'clock_skew',
  'incomplete',
  'status_code',
].join(', ');

/**
 * Limits the summaries to traces with an error span when only those are
 * listed. Every span of a trace in `hits` starts within `span_window`, so
 * this keeps exactly the traces whose summary counts an error, and the
 * others are never summarized.
 */
const FAILED_CTE = `
failed AS (
  SELECT DISTINCT trace_id FROM spans, span_window
  WHERE status_code = 'error' AND start_time_unix_nano
    BETWEEN span_window.first_start AND span_window.last_start
),`;

/** Links parents and summarizes each trace in `members`. */
const SUMMARY_TAIL = `
linked AS (
  SELECT m.*, p.span_id IS NOT NULL AS has_parent
  FROM members m
  LEFT JOIN members p
    ON p.trace_id = m.trace_id AND p.span_id = m.parent_span_id
),
traces AS (
  SELECT
    trace_id,
    first(service ORDER BY has_parent, parent_span_id IS NOT NULL,
      start_time_unix_nano, span_id) AS root_service,
    first(name ORDER BY has_parent, parent_span_id IS NOT NULL,
      start_time_unix_nano, span_id) AS root_name,
    coalesce(min(start_time_unix_nano) FILTER (WHERE NOT clock_skew),
      min(start_time_unix_nano)) AS start_time_unix_nano,
    max(end_time_unix_nano)
      FILTER (WHERE NOT clock_skew AND NOT incomplete) AS end_time_unix_nano,
    count(*) AS span_count,
    count(*) FILTER (WHERE status_code = 'error') AS error_count,
    list(DISTINCT service ORDER BY service) AS services
  FROM linked GROUP BY trace_id
),
summaries AS (
  SELECT trace_id, root_service, root_name, start_time_unix_nano,
    CASE WHEN end_time_unix_nano > start_time_unix_nano
      THEN end_time_unix_nano - start_time_unix_nano ELSE 0 END
      AS duration_nano,
    span_count, error_count, services
  FROM traces
)`;

/**
 * Summarizes the traces in `hits` from all their spans, read within the
 * span starts of `span_window`. `members` is materialized so the spans
 * table is read once, not once per side of the parent join.
 */
function summaryCtes(query: TraceListQuery): string {
  const failed = query.errors_only
    ? '\n    AND trace_id IN (SELECT trace_id FROM failed)'
    : '';
  return `${query.errors_only ? FAILED_CTE : ''}
members AS MATERIALIZED (
  SELECT ${MEMBER_COLUMNS} FROM spans, span_window
  WHERE start_time_unix_nano
      BETWEEN span_window.first_start AND span_window.last_start
    AND trace_id IN (SELECT trace_id FROM hits)${failed}
),${SUMMARY_TAIL}`;
}

function pageSql(from: string, where: string[]): string {
  return `
SELECT * FROM ${from}
${where.length ? `WHERE ${where.join(' AND ')}` : ''}
ORDER BY start_time_unix_nano DESC, trace_id DESC
LIMIT $limit`;
}

/**
 * Builds the query behind `listTraces` over every trace in the range. A
 * trace is listed when a span of the service starts in [start, end) and
 * matches the operation and attribute filters. Its summary follows the
 * rules of trace assembly: the start is the earliest start of a span
 * without clock skew (of any span when all are skewed), the end the latest
 * end of a complete span without clock skew, and the root the earliest
 * span whose parent is not stored, preferring spans that name no parent.
 *
 * The summary reads the spans of the listed traces only, and only within
 * the span start times that `trace_bounds` records for those traces. That
 * time filter lets DuckDB skip row groups by their min/max statistics,
 * which the random trace ids alone never do. With no hits, `span_window`
 * has no row, so no span is read at all.
 */
export function listTracesSql(
  query: TraceListQuery,
  cursor: TraceCursor | undefined,
): Statement {
  const params = { ...rangeParams(query), limit: query.limit + 1 };
  const hits = hitConditions(query, params);
  const where = traceFilters(query, cursor, params);
  const sql = `
WITH hits AS (
  SELECT DISTINCT trace_id FROM spans
  WHERE start_time_unix_nano >= $start::BIGINT AND ${hits}
),
span_window AS (
  SELECT min(first_start_unix_nano) AS first_start,
    max(last_start_unix_nano) AS last_start
  FROM trace_bounds
  WHERE ${boundsFilters(undefined, params)}
    AND trace_id IN (SELECT trace_id FROM hits)
  HAVING count(*) > 0
),${summaryCtes(query)}
${pageSql('summaries', where)}`;
  return { sql, params };
}

/**
 * Builds one bounded round of `listTraces`: the same summaries and page as
 * {@link listTracesSql}, but only of the candidate traces, those whose last
 * span start reaches the round's bound (see trace-list-rounds.ts for why
 * that suffices). Each row carries the bound as `bound`.
 *
 * The bound is the `rank`-th latest first start among the traces whose
 * first start reaches `guess`: a top-N over the rows of `trace_bounds`
 * from the guess on, not over all of them. Spans of the service are read
 * from the candidates' earliest first start on, so DuckDB skips the older
 * row groups.
 */
export function listCandidateTracesSql(
  query: TraceListQuery,
  cursor: TraceCursor | undefined,
  window: CandidateWindow,
): Statement {
  const params = {
    ...rangeParams(query),
    limit: query.limit + 1,
    guess: clampToInt64(window.guess),
    rank_offset: Number(window.rank - 1n),
  };
  const ranged = boundsFilters(cursor, params);
  const hits = hitConditions(query, params);
  const where = traceFilters(query, cursor, params);
  const sql = `
WITH bound AS (
  SELECT coalesce((
    SELECT first_start_unix_nano FROM trace_bounds
    WHERE ${ranged} AND first_start_unix_nano >= $guess::BIGINT
    ORDER BY first_start_unix_nano DESC LIMIT 1 OFFSET $rank_offset
  ), $guess::BIGINT) AS bound
),
candidates AS MATERIALIZED (
  SELECT trace_id, first_start_unix_nano AS first_start,
    last_start_unix_nano AS last_start
  FROM trace_bounds, bound
  WHERE ${ranged} AND last_start_unix_nano >= bound.bound
),
scan_window AS (
  SELECT greatest(min(first_start), $start::BIGINT) AS first_start
  FROM candidates
),
hits AS (
  SELECT DISTINCT trace_id FROM spans, scan_window
  WHERE start_time_unix_nano >= scan_window.first_start AND ${hits}
    AND trace_id IN (SELECT trace_id FROM candidates)
),
span_window AS (
  SELECT min(first_start) AS first_start, max(last_start) AS last_start
  FROM candidates WHERE trace_id IN (SELECT trace_id FROM hits)
  HAVING count(*) > 0
),${summaryCtes(query)}
${pageSql('summaries, bound', where)}`;
  return { sql, params };
}
