import { ValidationError } from '#shared/errors.js';
import { decodeLogCursor } from '#shared/logs/cursor.js';
import { parseLogSearch } from '#shared/logs/search-syntax.js';
import {
  type KnownLevel,
  LOG_LEVELS,
  type LogQuery,
  levelRank,
} from '#shared/model/log.js';
import type { LogCountQuery } from '../../ports.js';
import { isoFromMsNanos, isoFromNanos } from './document.js';

/** A query DSL clause. */
export type Clause = Record<string, unknown>;

/** The filters of a search or a count; only a search has a cursor. */
type LogFilter = Omit<LogQuery, 'limit' | 'cursor'>;

/** Sort of a search: newest first, ties by log id, both descending. */
export const NEWEST_FIRST = [
  { timestamp: { order: 'desc' } },
  { log_id: { order: 'desc' } },
];

/** Sort of a trace's logs: oldest first, ties by log id. */
export const OLDEST_FIRST = [
  { timestamp: { order: 'asc' } },
  { log_id: { order: 'asc' } },
];

/** The terms aggregation needs one bucket per level, UNSPECIFIED too. */
const LEVEL_COUNT = LOG_LEVELS.length + 1;

/**
 * Escapes the characters a `wildcard` query gives a meaning (`*`, `?`
 * and the escape `\` itself), so the term matches only itself.
 */
export function escapeWildcard(text: string): string {
  return text.replace(/[*?\\]/g, (char) => `\\${char}`);
}

function substringClause(text: string): Clause {
  return {
    wildcard: {
      'message.substring': { value: `*${escapeWildcard(text)}*` },
    },
  };
}

/**
 * Turns the search text into clauses by the log search syntax: each
 * included word or phrase is a `filter`, each excluded one a `must_not`.
 * The cluster never parses the user's text as a query string.
 */
export function textClauses(text: string | undefined): {
  filter: Clause[];
  must_not: Clause[];
} {
  if (!text) return { filter: [], must_not: [] };
  const terms = parseLogSearch(text);
  return {
    filter: terms.include.map(substringClause),
    must_not: terms.exclude.map(substringClause),
  };
}

/**
 * Selects the inclusive range as `date_nanos` bounds. The end covers
 * every nanosecond of `end_ms`, as the DuckDB store does.
 */
export function rangeClause(startMs: number, endMs: number): Clause {
  return {
    range: {
      timestamp: {
        gte: isoFromMsNanos(startMs),
        lt: isoFromMsNanos(endMs + 1),
        format: 'strict_date_optional_time_nanos',
      },
    },
  };
}

/** Levels between the bounds; UNSPECIFIED never matches a level filter. */
function levelsBetween(min?: KnownLevel, max?: KnownLevel): KnownLevel[] {
  const low = min ? levelRank(min) : 0;
  const high = max ? levelRank(max) : LOG_LEVELS.length - 1;
  return LOG_LEVELS.filter((_, rank) => rank >= low && rank <= high);
}

/**
 * Matches an attribute's text in the record or in its resource.
 *
 * NOTE: `flat_object` indexes each entry as the term `path=value`, so a
 * key containing `=` can collide: key `a=b` with value `c` also matches
 * the filter `a` = `b=c`. The DuckDB store compares key and value apart.
 */
function attributeClause(key: string, value: string): Clause {
  return {
    bool: {
      should: [
        { term: { [`attributes.${key}`]: value } },
        { term: { [`resource.${key}`]: value } },
      ],
      minimum_should_match: 1,
    },
  };
}

/** Builds the bool query of a search or count, without its cursor. */
export function filterQuery(query: LogFilter): Clause {
  const filter: Clause[] = [rangeClause(query.start_ms, query.end_ms)];
  if (query.service !== undefined) {
    filter.push({ term: { service: query.service } });
  }
  if (query.trace_id !== undefined) {
    filter.push({ term: { trace_id: query.trace_id } });
  }
  if (query.min_level || query.max_level) {
    const levels = levelsBetween(query.min_level, query.max_level);
    filter.push({ terms: { level: levels } });
  }
  for (const [key, value] of Object.entries(query.attributes ?? {})) {
    filter.push(attributeClause(key, value));
  }

  const text = textClauses(query.text);
  filter.push(...text.filter);
  const bool: Clause = { filter };
  if (text.must_not.length > 0) bool.must_not = text.must_not;
  return { bool };
}

/**
 * Converts a cursor to `search_after` values. The time goes as an ISO
 * string, which OpenSearch parses with the field's date format into
 * exact nanoseconds. A number above 2^53 would lose digits in JSON.
 */
export function searchAfterOf(cursor: string): [string, string] {
  const position = decodeLogCursor(cursor);
  if (!position) {
    throw new ValidationError(
      'invalid cursor: pass next_cursor from the previous response unchanged',
      [{ path: 'cursor', message: 'invalid cursor' }],
    );
  }
  return [isoFromNanos(position.time_unix_nano), position.log_id];
}

/**
 * Builds the body of a search page. It asks for one record more than the
 * page, so the caller can tell whether another page follows.
 */
export function searchBody(query: LogQuery): Clause {
  const body: Clause = {
    size: query.limit + 1,
    track_total_hits: false,
    sort: NEWEST_FIRST,
    query: filterQuery(query),
  };
  if (query.cursor !== undefined) {
    body.search_after = searchAfterOf(query.cursor);
  }
  return body;
}

/**
 * Builds the body of a level count: a `date_histogram` on the nanosecond
 * time with a `terms` on level inside. OpenSearch aggregates `date_nanos`
 * at millisecond resolution, and interval buckets start at multiples of
 * the interval since the epoch in UTC. So each record lands in the bucket
 * that DuckDB's integer division picks.
 */
export function levelCountBody(query: LogCountQuery): Clause {
  return {
    size: 0,
    track_total_hits: false,
    query: filterQuery(query),
    aggs: {
      buckets: {
        date_histogram: {
          field: 'timestamp',
          fixed_interval: `${query.interval_ms}ms`,
          min_doc_count: 1,
        },
        aggs: { levels: { terms: { field: 'level', size: LEVEL_COUNT } } },
      },
    },
  };
}

/** Builds the body of one page of a trace's logs, oldest first. */
export function traceLogsBody(
  traceId: string,
  size: number,
  after?: [string, string],
): Clause {
  const body: Clause = {
    size,
    track_total_hits: false,
    sort: OLDEST_FIRST,
    query: { bool: { filter: [{ term: { trace_id: traceId } }] } },
  };
  if (after) body.search_after = after;
  return body;
}
