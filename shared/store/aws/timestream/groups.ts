import { canonicalLabels } from '#shared/metrics/identity.js';
import type { MetricQuery } from '#shared/model/metric.js';
import type { LabelColumn } from './metric-sql.js';
import { type Row, rowLabels } from './rows.js';

/** Builds the group key of a label set, as `groupLabels` reads it back. */
export function groupKey(labels: Record<string, string>, groupBy?: string[]) {
  if (groupBy === undefined) return canonicalLabels(labels);
  return JSON.stringify(groupBy.map((key) => labels[key] ?? ''));
}

/** Returns the group key of a row of `aggregateSql` or `valueTotalsSql`. */
export function rowGroupKey(
  row: Row,
  columns: LabelColumn[],
  query: MetricQuery,
) {
  if (query.group_by === undefined) {
    return canonicalLabels(rowLabels(row, columns));
  }
  return JSON.stringify(
    query.group_by.map((_, i) => String(row[`g${i}`] ?? '')),
  );
}
