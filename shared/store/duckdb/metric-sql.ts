import type { DuckDBValue } from '@duckdb/node-api';
import type { Aggregation, MetricQuery } from '../../model/metric.js';

/** A statement with its bind parameters, ready for `DuckDb.query`. */
export interface Statement {
  sql: string;
  params: Record<string, DuckDBValue>;
}

/**
 * What each point contributes to a bucket. A counter or gauge point is one
 * observation of `value`. A histogram or summary point brings its own sum,
 * count, min and max, so `avg` is the sum of sums over the sum of counts
 * rather than an average of averages. Only points with a sum count there.
 */
const CONTRIBUTIONS = `
  CASE WHEN value IS NOT NULL THEN value ELSE sum END AS part_sum,
  CASE WHEN value IS NOT NULL THEN 1.0 ELSE count::DOUBLE END AS part_count,
  CASE WHEN value IS NOT NULL THEN 1.0
       WHEN sum IS NOT NULL THEN count::DOUBLE END AS part_count_with_sum,
  coalesce(value, min) AS part_min,
  coalesce(value, max) AS part_max`;

/** Aggregate expressions by name; the query's name is looked up here. */
const AGGREGATES: Record<Aggregation, string> = {
  avg: 'sum(part_sum) / nullif(sum(part_count_with_sum), 0)',
  sum: 'sum(part_sum)',
  min: 'min(part_min)',
  max: 'max(part_max)',
  count: 'sum(part_count)',
};

const LABEL = (i: number) => `coalesce(labels[$label_${i}], '')`;

/** SQL for each matcher operator; `=~` and `!~` match the whole value. */
const OPERATORS = {
  '=': (i: number) => `${LABEL(i)} = $value_${i}`,
  '!=': (i: number) => `${LABEL(i)} <> $value_${i}`,
  '=~': (i: number) => `regexp_full_match(${LABEL(i)}, $value_${i})`,
  '!~': (i: number) => `NOT regexp_full_match(${LABEL(i)}, $value_${i})`,
} as const;

/**
 * Builds the bucketed aggregation for a metric query. Every user value is
 * a bind parameter; only allow-listed fragments are written into the SQL.
 * A label the series lacks compares as the empty string, as in PromQL.
 * Buckets start at multiples of the interval since the Unix epoch.
 */
export function bucketQuery(table: string, query: MetricQuery): Statement {
  const params: Record<string, DuckDBValue> = {
    service: query.service,
    name: query.metric_name,
    start: BigInt(query.start_ms),
    end: BigInt(query.end_ms),
    interval: BigInt(query.interval_ms),
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

  const sql = `
    WITH matched AS (
      SELECT labels_key,
        (timestamp_ms // $interval) * $interval AS bucket_ms,
        ${CONTRIBUTIONS}
      FROM ${table}
      WHERE ${filters.join('\n        AND ')}
    )
    SELECT labels_key, bucket_ms,
      (${AGGREGATES[query.aggregation]})::DOUBLE AS value
    FROM matched
    GROUP BY labels_key, bucket_ms
    ORDER BY labels_key, bucket_ms`;
  return { sql, params };
}
