import { ValidationError } from '#shared/errors.js';
import type { MetricPoint } from '#shared/model/metric.js';
import {
  describeSql,
  type LabelColumn,
  labelColumns,
  pointsSql,
  type SqlTarget,
} from './metric-sql.js';
import { pointOfRow, type Row } from './rows.js';
import { type AttributeType, TableSchema } from './sql.js';

/** Runs SQL on the metric table; the adapter's one way to read. */
export interface TimestreamReader {
  /** The quoted `"database"."table"`. */
  table: string;
  /** Most stored points one query reads into memory. */
  maxReadPoints: number;
  rows(sql: string): Promise<Row[]>;
}

/**
 * Lists the table's columns with `DESCRIBE`, so that generated SQL names
 * only columns that exist. Runs once per read: a label seen for the first
 * time adds a column, and a cached list would leave it out.
 */
export async function describeTable(
  reader: TimestreamReader,
): Promise<SqlTarget> {
  const rows = await reader.rows(describeSql(reader.table));
  const columns = rows.map((row) => ({
    name: String(row.Column),
    type: String(row.Type),
    attribute: String(row['Timestream attribute type']) as AttributeType,
  }));
  return { table: reader.table, schema: new TableSchema(columns) };
}

/** Raises a 400 when a read returned more than `limit` rows. */
export function checkReadSize(rows: number, limit: number): void {
  if (rows <= limit) return;
  const message =
    `query reads more than ${limit} stored points; add matchers or ` +
    'shorten the range';
  throw new ValidationError(message, [{ path: 'matchers', message }]);
}

/** Stored points that match `where`, at most `reader.maxReadPoints`. */
export async function readPoints(
  reader: TimestreamReader,
  target: SqlTarget,
  where: string,
): Promise<{ points: MetricPoint[]; labels: LabelColumn[] }> {
  const limit = reader.maxReadPoints;
  const rows = await reader.rows(pointsSql(target, where, limit + 1));
  checkReadSize(rows.length, limit);
  const labels = labelColumns(target.schema);
  return { points: rows.map((row) => pointOfRow(row, labels)), labels };
}
