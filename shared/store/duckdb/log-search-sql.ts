import type { DuckDBValue } from '@duckdb/node-api';
import { ValidationError } from '#shared/errors.js';
import { decodeLogCursor } from '#shared/logs/cursor.js';
import { parseLogSearch } from '#shared/logs/search-syntax.js';
import { type LogQuery, levelRank } from '#shared/model/log.js';
import type { LogCountQuery } from '../ports.js';

/** Columns read back for a log record; JSON columns as text. */
export const LOG_COLUMNS = `log_id, time_unix_nano, observed_time_unix_nano,
  service, level, severity_number, severity_text, message,
  body::VARCHAR AS body, attributes::VARCHAR AS attributes,
  resource::VARCHAR AS resource, scope::VARCHAR AS scope, trace_id, span_id`;

const NANOS_PER_MS = 1_000_000n;

/** The filters of a search or a count; only a search has a cursor. */
type LogFilter = Omit<LogQuery, 'limit'>;

/** The value members of an attribute whose text an equality filter reads. */
const TEXT_MEMBERS = [
  'stringValue',
  'intValue',
  'boolValue',
  'doubleValue',
  'bytesValue',
];

/** Collects positional parameters; values never enter the SQL text. */
class Params {
  readonly values: DuckDBValue[] = [];

  add(value: DuckDBValue): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** Escapes a key as one JSON Pointer (RFC 6901) segment: `~` then `/`. */
export function pointerOf(key: string): string {
  return `/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

function timeConditions(query: LogFilter, params: Params): string[] {
  const start = BigInt(query.start_ms) * NANOS_PER_MS;
  // The end is inclusive to the millisecond: every nanosecond of end_ms.
  const end = (BigInt(query.end_ms) + 1n) * NANOS_PER_MS;
  return [
    `time_unix_nano >= ${params.add(start)}`,
    `time_unix_nano < ${params.add(end)}`,
  ];
}

function cursorConditions(query: LogFilter, params: Params): string[] {
  if (query.cursor === undefined) return [];
  const cursor = decodeLogCursor(query.cursor);
  if (!cursor) {
    throw new ValidationError(
      'invalid cursor: pass next_cursor from the previous response unchanged',
      [{ path: 'cursor', message: 'invalid cursor' }],
    );
  }
  const time = params.add(cursor.time_unix_nano);
  const id = params.add(cursor.log_id);
  return [
    `time_unix_nano <= ${time}`,
    `(time_unix_nano < ${time} OR log_id < ${id})`,
  ];
}

function levelConditions(query: LogFilter, params: Params): string[] {
  if (!query.min_level && !query.max_level) return [];
  // UNSPECIFIED ranks -1, so any level filter leaves it out.
  const conditions = ['level_rank >= 0'];
  if (query.min_level) {
    conditions.push(`level_rank >= ${params.add(levelRank(query.min_level))}`);
  }
  if (query.max_level) {
    conditions.push(`level_rank <= ${params.add(levelRank(query.max_level))}`);
  }
  return conditions;
}

function textConditions(query: LogFilter, params: Params): string[] {
  if (!query.text) return [];
  const terms = parseLogSearch(query.text);
  return [
    ...terms.include.map(
      (text) => `contains(lower(message), ${params.add(text)})`,
    ),
    ...terms.exclude.map(
      (text) => `NOT contains(lower(message), ${params.add(text)})`,
    ),
  ];
}

function attributeText(column: string, pointer: string): string {
  const members = TEXT_MEMBERS.map(
    (member) => `json_extract_string(${column}, ${pointer} || '/${member}')`,
  );
  return `coalesce(${members.join(', ')})`;
}

function attributeConditions(query: LogFilter, params: Params): string[] {
  return Object.entries(query.attributes ?? {}).map(([key, value]) => {
    const pointer = params.add(pointerOf(key));
    const expected = params.add(value);
    return (
      `(${attributeText('attributes', pointer)} = ${expected} OR ` +
      `${attributeText('resource', pointer)} = ${expected})`
    );
  });
}

function equalityConditions(query: LogFilter, params: Params): string[] {
  const conditions: string[] = [];
  if (query.service !== undefined) {
    conditions.push(`service = ${params.add(query.service)}`);
  }
  if (query.trace_id !== undefined) {
    conditions.push(`trace_id = ${params.add(query.trace_id)}`);
  }
  return conditions;
}

/**
 * Builds the WHERE clause of a search or count. The time range comes
 * first, so DuckDB skips row groups by their min/max time before it reads
 * any message.
 */
function whereClause(query: LogFilter, params: Params): string {
  const conditions = [
    ...timeConditions(query, params),
    ...cursorConditions(query, params),
    ...equalityConditions(query, params),
    ...levelConditions(query, params),
    ...attributeConditions(query, params),
    ...textConditions(query, params),
  ];
  return `WHERE ${conditions.join('\n      AND ')}`;
}

/** A statement and its positional parameters. */
export interface Statement {
  sql: string;
  params: DuckDBValue[];
}

/**
 * Builds the search statement. The limit is one above the page size, so
 * the caller can tell whether a page follows.
 */
export function buildLogSearch(query: LogQuery): Statement {
  const params = new Params();
  const sql = `SELECT ${LOG_COLUMNS} FROM logs
    ${whereClause(query, params)}
    ORDER BY time_unix_nano DESC, log_id DESC
    LIMIT ${params.add(query.limit + 1)}`;
  return { sql, params: params.values };
}

/**
 * Builds the count statement: one row per bucket and level that has
 * records. Integer division of the nanosecond time by the interval puts
 * each record in the bucket that starts at a multiple of the interval.
 */
export function buildLevelCounts(query: LogCountQuery): Statement {
  const params = new Params();
  const where = whereClause(query, params);
  const interval = params.add(BigInt(query.interval_ms) * NANOS_PER_MS);
  const sql = `SELECT (time_unix_nano // ${interval}) * ${interval}
      AS bucket_unix_nano, level, count(*) AS count
    FROM logs
    ${where}
    GROUP BY bucket_unix_nano, level`;
  return { sql, params: params.values };
}
