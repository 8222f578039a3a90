import {
  addDistributionTotals,
  addToBucket,
  type TotalsAggregation,
  type TotalsByGroup,
  totalsSeries,
} from '#shared/metrics/distribution-totals.js';
import { pointReading } from '#shared/metrics/histogram-deltas.js';
import type { MetricQuery, SeriesPoint } from '#shared/model/metric.js';
import { groupKey, rowGroupKey } from './groups.js';
import {
  distributionWhere,
  labelColumns,
  type SqlTarget,
  valueTotalsSql,
} from './metric-sql.js';
import { readPoints, type TimestreamReader } from './reader.js';

/**
 * Computes `avg`, `sum` or `count` per bucket as the DuckDB store does:
 * raw values in SQL, and in code what each histogram and summary point
 * adds (`shared/metrics/distribution-totals.ts`), so a cumulative series
 * counts each observation once.
 */
export async function queryTotals(
  reader: TimestreamReader,
  target: SqlTarget,
  query: MetricQuery,
  aggregation: TotalsAggregation,
): Promise<Map<string, SeriesPoint[]>> {
  const rows = await reader.rows(valueTotalsSql(target, query));
  const columns = labelColumns(target.schema);
  const groups: TotalsByGroup = new Map();
  for (const row of rows) {
    const count = Number(row.count);
    const sum = row.sum === null ? null : Number(row.sum);
    const totals = { sum, count, count_with_sum: count };
    const key = rowGroupKey(row, columns, query);
    addToBucket(groups, key, Number(row.bucket_ms), totals);
  }
  const where = distributionWhere(target, query);
  const { points } = await readPoints(reader, target, where);
  const readings = points.map((point) => ({
    group: groupKey(point.labels, query.group_by),
    reading: pointReading(point),
  }));
  addDistributionTotals(groups, readings, query);
  return totalsSeries(groups, aggregation);
}
