import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  type DuckDBAppender,
  type DuckDBType,
  type DuckDBValue,
  INTEGER,
  LIST,
  listValue,
  MAP,
  mapValue,
  UBIGINT,
  VARCHAR,
} from '@duckdb/node-api';
import { canonicalLabels, valueFingerprint } from '../../metrics/identity.js';
import type { MetricPoint } from '../../model/metric.js';

/** One column of `metric_points` and how a point fills it. */
interface Column {
  name: string;
  /** SQL type in the table; JSON columns are staged as VARCHAR. */
  sql: string;
  type: DuckDBType;
  value(point: MetricPoint): DuckDBValue;
}

const LABELS = MAP(VARCHAR, VARCHAR);
const DOUBLES = LIST(DOUBLE);
const COUNTS = LIST(UBIGINT);

const big = (n: number | null | undefined) =>
  n === null || n === undefined ? null : BigInt(n);
const bigList = (counts: number[] | undefined) =>
  counts ? listValue(counts.map((n) => BigInt(n))) : null;
const doubleList = (values: number[] | undefined) =>
  values ? listValue(values) : null;

/** The count, sum, min and max that every distribution type has. */
function distribution(point: MetricPoint) {
  return point.histogram ?? point.exponential_histogram ?? point.summary;
}

function extreme(point: MetricPoint, key: 'min' | 'max'): number | null {
  return (point.histogram ?? point.exponential_histogram)?.[key] ?? null;
}

/**
 * Columns of the metric table, in table order. Histogram buckets,
 * exponential buckets and summary quantiles are kept whole so percentiles
 * can be computed later without loss. Attributes, resource and scope keep
 * the typed OTLP `AnyValue` form as JSON, so `intValue` strings stay exact.
 */
export const METRIC_COLUMNS: readonly Column[] = [
  {
    name: 'service',
    sql: 'VARCHAR NOT NULL',
    type: VARCHAR,
    value: (p) => p.service,
  },
  {
    name: 'name',
    sql: 'VARCHAR NOT NULL',
    type: VARCHAR,
    value: (p) => p.name,
  },
  {
    name: 'type',
    sql: 'VARCHAR NOT NULL',
    type: VARCHAR,
    value: (p) => p.type,
  },
  {
    name: 'unit',
    sql: 'VARCHAR NOT NULL',
    type: VARCHAR,
    value: (p) => p.unit,
  },
  {
    name: 'labels',
    sql: 'MAP(VARCHAR, VARCHAR) NOT NULL',
    type: LABELS,
    value: (p) =>
      mapValue(
        Object.entries(p.labels).map(([key, value]) => ({ key, value })),
      ),
  },
  {
    name: 'labels_key',
    sql: 'VARCHAR NOT NULL',
    type: VARCHAR,
    value: (p) => canonicalLabels(p.labels),
  },
  {
    name: 'timestamp_ms',
    sql: 'BIGINT NOT NULL',
    type: BIGINT,
    value: (p) => BigInt(p.timestamp_ms),
  },
  {
    name: 'start_timestamp_ms',
    sql: 'BIGINT',
    type: BIGINT,
    value: (p) => big(p.start_timestamp_ms),
  },
  {
    name: 'temporality',
    sql: 'VARCHAR',
    type: VARCHAR,
    value: (p) => p.temporality,
  },
  {
    name: 'monotonic',
    sql: 'BOOLEAN',
    type: BOOLEAN,
    value: (p) => p.monotonic,
  },
  { name: 'value', sql: 'DOUBLE', type: DOUBLE, value: (p) => p.value },
  {
    name: 'count',
    sql: 'UBIGINT',
    type: UBIGINT,
    value: (p) => big(distribution(p)?.count),
  },
  {
    name: 'sum',
    sql: 'DOUBLE',
    type: DOUBLE,
    value: (p) => distribution(p)?.sum ?? null,
  },
  { name: 'min', sql: 'DOUBLE', type: DOUBLE, value: (p) => extreme(p, 'min') },
  { name: 'max', sql: 'DOUBLE', type: DOUBLE, value: (p) => extreme(p, 'max') },
  {
    name: 'bucket_bounds',
    sql: 'DOUBLE[]',
    type: DOUBLES,
    value: (p) => doubleList(p.histogram?.bounds),
  },
  {
    name: 'bucket_counts',
    sql: 'UBIGINT[]',
    type: COUNTS,
    value: (p) => bigList(p.histogram?.counts),
  },
  {
    name: 'exp_scale',
    sql: 'INTEGER',
    type: INTEGER,
    value: (p) => p.exponential_histogram?.scale ?? null,
  },
  {
    name: 'exp_zero_count',
    sql: 'UBIGINT',
    type: UBIGINT,
    value: (p) => big(p.exponential_histogram?.zero_count),
  },
  {
    name: 'exp_zero_threshold',
    sql: 'DOUBLE',
    type: DOUBLE,
    value: (p) => p.exponential_histogram?.zero_threshold ?? null,
  },
  {
    name: 'exp_positive_offset',
    sql: 'INTEGER',
    type: INTEGER,
    value: (p) => p.exponential_histogram?.positive.offset ?? null,
  },
  {
    name: 'exp_positive_counts',
    sql: 'UBIGINT[]',
    type: COUNTS,
    value: (p) => bigList(p.exponential_histogram?.positive.counts),
  },
  {
    name: 'exp_negative_offset',
    sql: 'INTEGER',
    type: INTEGER,
    value: (p) => p.exponential_histogram?.negative.offset ?? null,
  },
  {
    name: 'exp_negative_counts',
    sql: 'UBIGINT[]',
    type: COUNTS,
    value: (p) => bigList(p.exponential_histogram?.negative.counts),
  },
  {
    name: 'quantiles',
    sql: 'DOUBLE[]',
    type: DOUBLES,
    value: (p) => doubleList(p.summary?.quantiles.map((q) => q.quantile)),
  },
  {
    name: 'quantile_values',
    sql: 'DOUBLE[]',
    type: DOUBLES,
    value: (p) => doubleList(p.summary?.quantiles.map((q) => q.value)),
  },
  {
    name: 'value_key',
    sql: 'VARCHAR NOT NULL',
    type: VARCHAR,
    value: valueFingerprint,
  },
  {
    name: 'attributes',
    sql: 'JSON NOT NULL',
    type: VARCHAR,
    value: (p) => JSON.stringify(p.attributes),
  },
  {
    name: 'resource',
    sql: 'JSON NOT NULL',
    type: VARCHAR,
    value: (p) => JSON.stringify(p.resource),
  },
  {
    name: 'scope',
    sql: 'JSON',
    type: VARCHAR,
    value: (p) => (p.scope ? JSON.stringify(p.scope) : null),
  },
];

/** Comma-separated column names in table order. */
export const COLUMN_LIST = METRIC_COLUMNS.map((c) => c.name).join(', ');

/** DDL of the metric table. */
export function tableDdl(table: string): string {
  const columns = METRIC_COLUMNS.map((c) => `  ${c.name} ${c.sql}`);
  return `CREATE TABLE IF NOT EXISTS ${table} (\n${columns.join(',\n')}\n)`;
}

/**
 * DDL of the per-connection staging table: the batch index first, then
 * the metric columns without constraints and with JSON staged as text.
 */
export function stagingDdl(table: string): string {
  const columns = METRIC_COLUMNS.map((c) => {
    const sql = c.sql.replace(' NOT NULL', '').replace(/^JSON$/, 'VARCHAR');
    return `  ${c.name} ${sql}`;
  });
  return (
    `CREATE TEMP TABLE IF NOT EXISTS ${table} (\n  idx INTEGER,\n` +
    `${columns.join(',\n')}\n)`
  );
}

/** Appends one staging row: the point's batch index, then its columns. */
export function appendPoint(
  appender: DuckDBAppender,
  index: number,
  point: MetricPoint,
): void {
  appender.appendInteger(index);
  for (const column of METRIC_COLUMNS) {
    const value = column.value(point);
    if (value === null) appender.appendNull();
    else appender.appendValue(value, column.type);
  }
  appender.endRow();
}
