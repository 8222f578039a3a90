import type { DuckDBValue } from '@duckdb/node-api';
import {
  type Aggregation,
  isPercentile,
  type MetricQuery,
  PERCENTILE_QUANTILES,
} from '../../model/metric.js';

/** A statement with its bind parameters, ready for `DuckDb.query`. */
export interface Statement {
  sql: string;
  params: Record<string, DuckDBValue>;
}

/** The aggregations {@link bucketQuery} computes in SQL alone. */
export type SqlAggregation = Exclude<
  Aggregation,
  'rate' | 'increase' | 'avg' | 'sum' | 'count'
>;

/**
 * What each point contributes to a bucket: a counter or gauge point is one
 * observation of `value`, and a histogram brings its own min and max.
 */
const CONTRIBUTIONS = `
  value AS part_value,
  coalesce(value, min) AS part_min,
  coalesce(value, max) AS part_max`;

/**
 * `quantile_cont` is the type 7 percentile of `shared/model/percentile.ts`
 * (linear between the closest ranks). It covers raw values only: the
 * store reads histogram and summary points separately.
 */
const quantile = (q: number) => `quantile_cont(part_value, ${q})`;

/** Aggregate expressions by name; the query's name is looked up here. */
const AGGREGATES: Record<SqlAggregation, string> = {
  min: 'min(part_min)',
  max: 'max(part_max)',
  p50: quantile(PERCENTILE_QUANTILES.p50),
  p90: quantile(PERCENTILE_QUANTILES.p90),
  p95: quantile(PERCENTILE_QUANTILES.p95),
  p99: quantile(PERCENTILE_QUANTILES.p99),
};

const LABEL = (i: number) => `coalesce(labels[$label_${i}], '')`;

/** SQL for each matcher operator; `=~` and `!~` match the whole value. */
const OPERATORS = {
  '=': (i: number) => `${LABEL(i)} = $value_${i}`,
  '!=': (i: number) => `${LABEL(i)} <> $value_${i}`,
  '=~': (i: number) => `regexp_full_match(${LABEL(i)}, $value_${i})`,
  '!~': (i: number) => `NOT regexp_full_match(${LABEL(i)}, $value_${i})`,
} as const;

/** The WHERE clause and parameters that select a query's points. */
export interface Selection {
  where: string;
  params: Record<string, DuckDBValue>;
  /** Expression naming the output series a point belongs to. */
  group: string;
}

/**
 * Text naming a point's output series: its canonical label set, or with
 * `group_by` a JSON array of those labels' values (the empty string for
 * a label the series lacks).
 */
function groupExpression(
  groupBy: string[] | undefined,
  params: Record<string, DuckDBValue>,
): string {
  if (groupBy === undefined) return 'labels_key';
  if (groupBy.length === 0) return `'[]'`;
  const values = groupBy.map((label, i) => {
    params[`group_${i}`] = label;
    return `coalesce(labels[$group_${i}], '')`;
  });
  return `to_json([${values.join(', ')}])::VARCHAR`;
}

/**
 * Builds the filter of a metric query. Every user value is a bind
 * parameter; only allow-listed fragments are written into the SQL. A
 * label the series lacks compares as the empty string, as in PromQL.
 */
export function selectionOf(query: MetricQuery): Selection {
  const params: Record<string, DuckDBValue> = {
    service: query.service,
    name: query.metric_name,
    start: BigInt(query.start_ms),
    end: BigInt(query.end_ms),
  };
  const filters = [
    'service = $service',
    'name = $name',
    'timestamp_ms >= $start',
    'timestamp_ms < $end',
  ];
  for (const [i, matcher] of query.matchers.entries()) {
    params[`label_${i}`] = matcher.label;
    params[`value_${i}`] = matcher.value;
    filters.push(OPERATORS[matcher.op](i));
  }
  const group = groupExpression(query.group_by, params);
  return { where: filters.join('\n        AND '), params, group };
}

/**
 * Builds the bucketed aggregation for a metric query, one row per output
 * series and bucket. Buckets start at multiples of the interval since the
 * Unix epoch. Percentiles select raw values only.
 */
export function bucketQuery(
  table: string,
  query: MetricQuery,
  aggregation: SqlAggregation,
): Statement {
  const selection = selectionOf(query);
  const onlyValues = isPercentile(aggregation) ? 'AND value IS NOT NULL' : '';
  const sql = `
    WITH matched AS (
      SELECT ${selection.group} AS group_key,
        (timestamp_ms // $interval) * $interval AS bucket_ms,
        ${CONTRIBUTIONS}
      FROM ${table}
      WHERE ${selection.where} ${onlyValues}
    )
    SELECT group_key, bucket_ms,
      (${AGGREGATES[aggregation]})::DOUBLE AS value
    FROM matched
    GROUP BY group_key, bucket_ms
    ORDER BY group_key, bucket_ms`;
  const params = { ...selection.params, interval: BigInt(query.interval_ms) };
  return { sql, params };
}

/**
 * Builds the sum and count of raw values per output series and bucket,
 * the part of `avg`, `sum` and `count` that SQL computes. Histogram and
 * summary points are left out: a cumulative one counts only what it adds
 * to the previous point of its series, which the store works out in code.
 * `distributions` counts them, so the store reads them only when there
 * are some.
 */
export function valueTotalsQuery(table: string, query: MetricQuery): Statement {
  const selection = selectionOf(query);
  const sql = `
    SELECT ${selection.group} AS group_key,
      (timestamp_ms // $interval) * $interval AS bucket_ms,
      sum(value) AS sum, count(value) AS count,
      count(*) FILTER (WHERE value IS NULL) AS distributions
    FROM ${table}
    WHERE ${selection.where}
    GROUP BY group_key, bucket_ms`;
  const params = { ...selection.params, interval: BigInt(query.interval_ms) };
  return { sql, params };
}
