import {
  addDistributionTotals,
  addToBucket,
  type TotalsAggregation,
  type TotalsByGroup,
  totalsSeries,
} from '../../metrics/distribution-totals.js';
import type { MetricQuery, SeriesPoint } from '../../model/metric.js';
import type { DuckDb } from './database.js';
import { readGroupedReadings } from './metric-readings.js';
import { valueTotalsQuery } from './metric-sql.js';

interface ValueTotalsRow {
  group_key: string;
  bucket_ms: bigint;
  sum: number | null;
  count: bigint;
  distributions: bigint;
}

/**
 * Computes `avg`, `sum` or `count` per bucket: raw values in SQL, and in
 * code what each histogram and summary point adds
 * (`shared/metrics/distribution-totals.ts`), so a cumulative series
 * counts each observation once. More than `maxRows` histogram and summary
 * points is a 400.
 */
export async function queryTotals(
  db: DuckDb,
  table: string,
  query: MetricQuery,
  aggregation: TotalsAggregation,
  maxRows: number,
): Promise<Map<string, SeriesPoint[]>> {
  const statement = valueTotalsQuery(table, query);
  const rows = await db.query<ValueTotalsRow>(statement.sql, statement.params);
  const groups: TotalsByGroup = new Map();
  let distributions = 0;
  for (const row of rows) {
    distributions += Number(row.distributions);
    const count = Number(row.count);
    if (count === 0) continue;
    const totals = { sum: row.sum, count, count_with_sum: count };
    addToBucket(groups, row.group_key, Number(row.bucket_ms), totals);
  }
  // A gauge or counter has no histogram or summary points, so it skips
  // the second scan of the range.
  if (distributions > 0) {
    const readings = await readGroupedReadings(db, table, query, maxRows);
    addDistributionTotals(groups, readings, query);
  }
  return totalsSeries(groups, aggregation);
}
