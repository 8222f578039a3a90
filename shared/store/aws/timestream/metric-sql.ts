import type {
  Aggregation,
  LabelMatcher,
  MetricListQuery,
  MetricPoint,
  MetricQuery,
} from '#shared/model/metric.js';
import {
  DIMENSION,
  labelDimension,
  labelOfDimension,
  MEASURE,
} from './records.js';
import {
  fullMatchPattern,
  integerLiteral,
  quoteIdentifier,
  quoteLiteral,
  type TableSchema,
  timeLiteral,
} from './sql.js';

/** The quoted table that generated SQL reads, with its columns. */
export interface SqlTarget {
  /** `"database"."table"`, already quoted. */
  table: string;
  schema: TableSchema;
}

/** The points of one metric of one service in [start_ms, end_ms). */
export interface MetricRange {
  service: string;
  metric_name: string;
  start_ms: number;
  end_ms: number;
  matchers?: LabelMatcher[];
}

/** The aggregations {@link aggregateSql} computes in SQL alone. */
export type SqlAggregation = Extract<Aggregation, 'min' | 'max'>;

/** A label dimension of the table with the alias a query reads it by. */
export interface LabelColumn {
  key: string;
  alias: string;
}

/** Lists every label dimension of the table, sorted by label key. */
export function labelColumns(schema: TableSchema): LabelColumn[] {
  const keys = schema
    .dimensions()
    .flatMap((name) => {
      const key = labelOfDimension(name);
      return key === undefined ? [] : [key];
    })
    .sort();
  return keys.map((key, i) => ({ key, alias: `l${i}` }));
}

/** Selects a label's value, with a missing label as the empty string. */
function labelValue(schema: TableSchema, key: string): string {
  const name = labelDimension(key);
  return schema.has(name) ? `coalesce(${quoteIdentifier(name)}, '')` : `''`;
}

function matcherSql(schema: TableSchema, matcher: LabelMatcher): string {
  const label = labelValue(schema, matcher.label);
  const value = quoteLiteral(matcher.value);
  const pattern = quoteLiteral(fullMatchPattern(matcher.value));
  switch (matcher.op) {
    case '=':
      return `${label} = ${value}`;
    case '!=':
      return `${label} <> ${value}`;
    case '=~':
      return `regexp_like(${label}, ${pattern})`;
    case '!~':
      return `NOT regexp_like(${label}, ${pattern})`;
  }
}

/** Builds the WHERE conditions that select a range's points. */
export function rangeWhere(target: SqlTarget, range: MetricRange): string {
  const { schema } = target;
  const filters = [
    `measure_name = ${quoteLiteral(range.metric_name)}`,
    `${schema.column(DIMENSION.service, 'VARCHAR')} = ${quoteLiteral(range.service)}`,
    `time >= ${timeLiteral(range.start_ms)}`,
    `time < ${timeLiteral(range.end_ms)}`,
    ...(range.matchers ?? []).map((m) => matcherSql(schema, m)),
  ];
  return filters.join('\n  AND ');
}

const number = (schema: TableSchema, role: keyof typeof MEASURE) =>
  schema.column(MEASURE[role], 'DOUBLE');

/**
 * Builds `min` or `max`. Each point contributes as in the DuckDB store: a
 * counter or gauge point is one observation of `value`, and a histogram
 * brings its own min and max.
 */
function aggregateExpression(schema: TableSchema, aggregation: SqlAggregation) {
  const value = number(schema, 'value');
  return `${aggregation}(coalesce(${value}, ${number(schema, aggregation)}))`;
}

/** A group column: what the query selects and what it groups by. */
interface GroupColumn {
  select: string;
  /** The expression to group by; absent for a constant. */
  key?: string;
}

/**
 * Lists the group columns of an aggregation: every label column when the query
 * has no `group_by` (each label set is a series), else the `group_by`
 * labels with a missing one as the empty string. A label the table has
 * no column for is the constant `''`, which is selected but not grouped.
 */
function groupColumns(
  target: SqlTarget,
  groupBy: string[] | undefined,
): GroupColumn[] {
  if (groupBy === undefined) {
    return labelColumns(target.schema).map((c) => {
      const key = quoteIdentifier(labelDimension(c.key));
      return { select: `${key} AS ${c.alias}`, key };
    });
  }
  return groupBy.map((label, i) => {
    const value = labelValue(target.schema, label);
    const select = `${value} AS g${i}`;
    return value === "''" ? { select } : { select, key: value };
  });
}

/**
 * Builds a bucketed aggregation of a query: one row per output series and
 * bucket, with the series' labels as `l0`, `l1` ... (every label column,
 * NULL where a series lacks it) or `g0`, `g1` ... (the `group_by` labels),
 * the bucket start as `bucket_ms`, then `measures`. `bin` rounds down to
 * a multiple of the interval since the Unix epoch.
 */
function bucketedSql(
  target: SqlTarget,
  query: MetricQuery,
  measures: readonly string[],
  where: string,
): string {
  const bucket = `bin(time, ${integerLiteral(query.interval_ms)}ms)`;
  const groups = groupColumns(target, query.group_by);
  const keys = groups.flatMap((g) => (g.key ? [g.key] : []));
  const select = [
    ...groups.map((g) => g.select),
    `to_milliseconds(${bucket}) AS bucket_ms`,
    ...measures,
  ];
  return [
    `SELECT ${select.join(',\n  ')}`,
    `FROM ${target.table}`,
    `WHERE ${where}`,
    `GROUP BY ${[...keys, bucket].join(', ')}`,
  ].join('\n');
}

/** Builds the bucketed `min` or `max` of a query, named `value`. */
export function aggregateSql(
  target: SqlTarget,
  query: MetricQuery,
  aggregation: SqlAggregation,
): string {
  const expression = aggregateExpression(target.schema, aggregation);
  const measure = `CAST(${expression} AS DOUBLE) AS value`;
  return bucketedSql(target, query, [measure], rangeWhere(target, query));
}

/**
 * Builds the bucketed sum and count of raw values, the part of `avg`,
 * `sum` and `count` that SQL computes. Histogram and summary points are
 * left out: a cumulative one counts only what it adds to the previous
 * point of its series, which the adapter works out in code.
 */
export function valueTotalsSql(target: SqlTarget, query: MetricQuery): string {
  const value = number(target.schema, 'value');
  const measures = [
    `CAST(sum(${value}) AS DOUBLE) AS sum`,
    `CAST(count(${value}) AS DOUBLE) AS count`,
  ];
  const where = `${rangeWhere(target, query)}\n  AND ${value} IS NOT NULL`;
  return bucketedSql(target, query, measures, where);
}

/** Builds the conditions that select a range's histogram and summaries. */
export function distributionWhere(target: SqlTarget, range: MetricRange) {
  const value = number(target.schema, 'value');
  return `${rangeWhere(target, range)}\n  AND ${value} IS NULL`;
}

/** Columns that rebuild a stored point; see `rows.ts` for the reading. */
export function pointColumns(schema: TableSchema): string[] {
  const labels = labelColumns(schema).map(
    (c) => `${quoteIdentifier(labelDimension(c.key))} AS ${c.alias}`,
  );
  const measures = Object.values(MEASURE)
    .filter((name) => name !== MEASURE.writeId && schema.has(name))
    .map(quoteIdentifier);
  return [
    'measure_name',
    `${schema.column(DIMENSION.service, 'VARCHAR')} AS service`,
    `${schema.column(DIMENSION.start, 'VARCHAR')} AS start_ms`,
    'to_milliseconds(time) AS time_ms',
    ...labels,
    ...measures,
  ];
}

/**
 * Reads stored points whole, for what SQL alone cannot compute here:
 * increases, percentiles by the shared definitions, statistics and the
 * stored side of a conflict. At most `limit` rows.
 */
export function pointsSql(target: SqlTarget, where: string, limit: number) {
  return [
    `SELECT ${pointColumns(target.schema).join(',\n  ')}`,
    `FROM ${target.table}`,
    `WHERE ${where}`,
    `LIMIT ${integerLiteral(limit)}`,
  ].join('\n');
}

/** Selects the type and unit of the latest point in a range. */
export function latestTypeSql(target: SqlTarget, range: MetricRange): string {
  const { schema } = target;
  return [
    `SELECT max_by(${schema.column(MEASURE.type, 'VARCHAR')}, time) AS type,`,
    `  max_by(${schema.column(MEASURE.unit, 'VARCHAR')}, time) AS unit`,
    `FROM ${target.table}`,
    `WHERE ${rangeWhere(target, range)}`,
  ].join('\n');
}

/**
 * Selects one page of a service's metric names with the type and unit of each
 * one's latest point, its last time, and per label column (`k0`, `k1`
 * ... in {@link labelColumns} order) how many of its points carry it.
 */
export function metricListSql(target: SqlTarget, query: MetricListQuery) {
  const { schema } = target;
  const filters = [
    `${schema.column(DIMENSION.service, 'VARCHAR')} = ${quoteLiteral(query.service)}`,
    ...(query.after === undefined
      ? []
      : [`measure_name > ${quoteLiteral(query.after)}`]),
  ];
  const keyCounts = labelColumns(schema).map(
    (c, i) => `count(${quoteIdentifier(labelDimension(c.key))}) AS k${i}`,
  );
  const select = [
    'measure_name AS name',
    `max_by(${schema.column(MEASURE.type, 'VARCHAR')}, time) AS type`,
    `max_by(${schema.column(MEASURE.unit, 'VARCHAR')}, time) AS unit`,
    'to_milliseconds(max(time)) AS last_seen_ms',
    ...keyCounts,
  ];
  return [
    `SELECT ${select.join(',\n  ')}`,
    `FROM ${target.table}`,
    `WHERE ${filters.join(' AND ')}`,
    'GROUP BY measure_name',
    'ORDER BY measure_name',
    `LIMIT ${integerLiteral(query.limit)}`,
  ].join('\n');
}

/** Builds the statement that lists a table's columns. */
export function describeSql(table: string): string {
  return `DESCRIBE ${table}`;
}

/**
 * Selects the stored records that may share a series and time with
 * `points`: same metric names, services and times. Callers match the
 * rows to the points by `recordKey` of `records.ts`.
 */
export function existingWhere(
  target: SqlTarget,
  points: readonly MetricPoint[],
): string {
  const list = (values: Iterable<string>) => [...new Set(values)].join(', ');
  const service = target.schema.column(DIMENSION.service, 'VARCHAR');
  return [
    `measure_name IN (${list(points.map((p) => quoteLiteral(p.name)))})`,
    `${service} IN (${list(points.map((p) => quoteLiteral(p.service)))})`,
    `time IN (${list(points.map((p) => timeLiteral(p.timestamp_ms)))})`,
  ].join('\n  AND ');
}
