import type { DuckDBValue } from '@duckdb/node-api';
import type { TraceCursor } from '../../traces/cursor.js';
import type { TraceListQuery } from '../ports.js';

const NANOS_PER_MS = 1_000_000n;

/**
 * The text of a typed attribute value in `column` under the JSON pointer
 * `$pointer`; doubles are compared as numbers instead (see below), because
 * DuckDB and JavaScript print some of them differently (1e21, 1e+21).
 */
function attributeMatches(column: string, key: string, value: string) {
  const item = `json_extract(${column}, ${key})`;
  return `(coalesce(${item} ->> 'stringValue', ${item} ->> 'intValue',
      ${item} ->> 'boolValue', ${item} ->> 'bytesValue') = ${value}
    OR TRY_CAST(${item} ->> 'doubleValue' AS DOUBLE)
      = TRY_CAST(${value} AS DOUBLE))`;
}

/** Escapes an attribute key as a JSON pointer (RFC 6901), so dots stay. */
function jsonPointer(key: string): string {
  return `/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

/** Filters on the span of the service that puts a trace on the list. */
function hitFilters(
  query: TraceListQuery,
  params: Record<string, DuckDBValue>,
) {
  const filters: string[] = [];
  if (query.operation !== undefined) {
    params.operation = query.operation;
    filters.push('name = $operation');
  }
  for (const [index, [key, value]] of Object.entries(
    query.attributes ?? {},
  ).entries()) {
    params[`key${index}`] = jsonPointer(key);
    params[`value${index}`] = value;
    const k = `$key${index}`;
    const v = `$value${index}`;
    filters.push(
      `(${attributeMatches('attributes', k, v)} OR ` +
        `${attributeMatches('resource', k, v)})`,
    );
  }
  return filters;
}

/** Filters on the assembled trace: keyset position, duration, errors. */
function traceFilters(
  query: TraceListQuery,
  cursor: TraceCursor | undefined,
  params: Record<string, DuckDBValue>,
) {
  const filters: string[] = [];
  if (cursor) {
    params.cursor_start = cursor.start_time_unix_nano;
    params.cursor_trace = cursor.trace_id;
    filters.push(
      '(start_time_unix_nano < $cursor_start OR ' +
        '(start_time_unix_nano = $cursor_start AND trace_id < $cursor_trace))',
    );
  }
  if (query.min_duration_nano !== undefined) {
    params.min_duration = query.min_duration_nano;
    filters.push('duration_nano >= $min_duration');
  }
  if (query.max_duration_nano !== undefined) {
    params.max_duration = query.max_duration_nano;
    filters.push('duration_nano <= $max_duration');
  }
  if (query.errors_only) filters.push('error_count > 0');
  return filters;
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
 * Builds the query behind `listTraces`. A trace is listed when a span of
 * the service starts in [start, end) and matches the operation and
 * attribute filters. Its summary follows the rules of trace assembly:
 * the start is the earliest start of a span without clock skew (of any
 * span when all are skewed), the end the latest end of a complete span
 * without clock skew, and the root the earliest span whose parent is not
 * stored, preferring spans that name no parent at all.
 *
 * The summary reads the spans of the listed traces only, and only within
 * the span start times that `trace_bounds` records for those traces. That
 * time filter lets DuckDB skip row groups by their min/max statistics,
 * which the random trace ids alone never do. `members` is materialized so
 * the spans table is read once, not once per side of the parent join.
 */
export function listTracesSql(
  query: TraceListQuery,
  cursor: TraceCursor | undefined,
): { sql: string; params: Record<string, DuckDBValue> } {
  const params: Record<string, DuckDBValue> = {
    service: query.service,
    start: BigInt(query.start_ms) * NANOS_PER_MS,
    end: BigInt(query.end_ms) * NANOS_PER_MS,
    limit: query.limit + 1,
  };
  const hits = ['service = $service', 'start_time_unix_nano >= $start']
    .concat('start_time_unix_nano < $end', hitFilters(query, params))
    .join(' AND ');
  const where = traceFilters(query, cursor, params);

  const sql = `
WITH hits AS (SELECT DISTINCT trace_id FROM spans WHERE ${hits}),
span_window AS (
  SELECT min(first_start_unix_nano) AS first_start,
    max(last_start_unix_nano) AS last_start
  FROM trace_bounds
  WHERE last_start_unix_nano >= $start AND first_start_unix_nano < $end
    AND trace_id IN (SELECT trace_id FROM hits)
),
members AS MATERIALIZED (
  SELECT ${MEMBER_COLUMNS} FROM spans, span_window
  WHERE start_time_unix_nano
      BETWEEN span_window.first_start AND span_window.last_start
    AND trace_id IN (SELECT trace_id FROM hits)
),
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
)
SELECT * FROM summaries
${where.length ? `WHERE ${where.join(' AND ')}` : ''}
ORDER BY start_time_unix_nano DESC, trace_id DESC
LIMIT $limit`;
  return { sql, params };
}
