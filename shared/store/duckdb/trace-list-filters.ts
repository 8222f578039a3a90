import type { DuckDBValue } from '@duckdb/node-api';
import type { TraceCursor } from '../../traces/cursor.js';
import type { TraceListQuery } from '../ports.js';

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

/**
 * Builds the filters on the span of the service that puts a trace on the
 * list, as SQL conditions on `spans`. Their values go into `params`.
 */
export function hitFilters(
  query: TraceListQuery,
  params: Record<string, DuckDBValue>,
): string[] {
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

/**
 * Builds the filters on the assembled trace summary: keyset position,
 * duration, errors. Their values go into `params`.
 */
export function traceFilters(
  query: TraceListQuery,
  cursor: TraceCursor | undefined,
  params: Record<string, DuckDBValue>,
): string[] {
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
