import {
  type DuckDBListValue,
  type DuckDBValue,
  listValue,
} from '@duckdb/node-api';
import type {
  DurationStats,
  OperationStatsQuery,
  OperationStatsResult,
  SpanGroupStats,
} from '../ports.js';
import type { DuckDb } from './database.js';

const NANOS_PER_MS = 1_000_000n;

/** Quantiles taken in one pass, in the order `durationStats` reads them. */
const QUANTILES = [0.5, 0.9, 0.95, 0.99];

/**
 * Aggregates per span name and, through the empty grouping set, over all
 * matching spans, which yields the total row even when nothing matches.
 * The primary key on (trace_id, span_id) keeps one row per span, so no
 * span counts twice. `quantile_cont` is the percentile definition of
 * shared/model/percentile.ts.
 */
function operationStatsSql(filters: string[]): string {
  return `
WITH scoped AS (
  SELECT name, status_code, duration_nano,
    NOT (clock_skew OR incomplete) AS known_duration
  FROM spans
  WHERE ${filters.join(' AND ')}
)
SELECT grouping(name) = 1 AS is_total, name,
  count(*) AS span_count,
  count(*) FILTER (WHERE status_code = 'error') AS error_count,
  count(*) FILTER (WHERE known_duration) AS timed_count,
  min(duration_nano) FILTER (WHERE known_duration) AS min_nano,
  max(duration_nano) FILTER (WHERE known_duration) AS max_nano,
  avg(duration_nano) FILTER (WHERE known_duration) AS mean_nano,
  quantile_cont(duration_nano, [${QUANTILES.join(', ')}])
    FILTER (WHERE known_duration) AS quantiles
FROM scoped
GROUP BY GROUPING SETS ((name), ())`;
}

interface StatsRow {
  is_total: boolean;
  name: string | null;
  span_count: bigint;
  error_count: bigint;
  timed_count: bigint;
  min_nano: bigint | null;
  max_nano: bigint | null;
  mean_nano: number | null;
  quantiles: DuckDBListValue | null;
}

function filtersOf(
  query: OperationStatsQuery,
  params: Record<string, DuckDBValue>,
): string[] {
  const filters = [
    'service = $service',
    'start_time_unix_nano >= $start',
    'start_time_unix_nano < $end',
  ];
  params.service = query.service;
  params.start = BigInt(query.start_ms) * NANOS_PER_MS;
  params.end = BigInt(query.end_ms) * NANOS_PER_MS;
  if (query.span_kinds !== undefined) {
    params.kinds = listValue(query.span_kinds);
    filters.push('list_contains($kinds, kind)');
  }
  if (query.roots_only) filters.push('parent_span_id IS NULL');
  return filters;
}

const numberOrNull = (value: bigint | number | null) =>
  value === null ? null : Number(value);

function durationStats(row: StatsRow): DurationStats {
  const quantiles = (row.quantiles?.items ?? []) as number[];
  const [p50, p90, p95, p99] = quantiles;
  return {
    count: Number(row.timed_count),
    min_nano: numberOrNull(row.min_nano),
    max_nano: numberOrNull(row.max_nano),
    mean_nano: row.mean_nano,
    p50_nano: p50 ?? null,
    p90_nano: p90 ?? null,
    p95_nano: p95 ?? null,
    p99_nano: p99 ?? null,
  };
}

function groupStats(row: StatsRow): SpanGroupStats {
  return {
    span_count: Number(row.span_count),
    error_count: Number(row.error_count),
    duration: durationStats(row),
  };
}

function byCountThenName(
  a: { span_count: number; operation: string },
  b: { span_count: number; operation: string },
): number {
  if (a.span_count !== b.span_count) return b.span_count - a.span_count;
  return a.operation < b.operation ? -1 : 1;
}

/** Runs the query behind `TraceStore.operationStats` on the spans table. */
export async function queryOperationStats(
  db: DuckDb,
  query: OperationStatsQuery,
): Promise<OperationStatsResult> {
  const params: Record<string, DuckDBValue> = {};
  const sql = operationStatsSql(filtersOf(query, params));
  const rows = await db.query<StatsRow>(sql, params);

  const totalRow = rows.find((row) => row.is_total);
  const operations = rows
    .filter((row) => !row.is_total)
    .map((row) => ({ operation: row.name ?? '', ...groupStats(row) }))
    .sort(byCountThenName);
  const total = totalRow
    ? groupStats(totalRow)
    : { span_count: 0, error_count: 0, duration: emptyDuration() };
  return { operations, total };
}

function emptyDuration(): DurationStats {
  return {
    count: 0,
    min_nano: null,
    max_nano: null,
    mean_nano: null,
    p50_nano: null,
    p90_nano: null,
    p95_nano: null,
    p99_nano: null,
  };
}
