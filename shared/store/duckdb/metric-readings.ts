import { ValidationError } from '../../errors.js';
import {
  type DistributionReading,
  type GroupedReading,
  isCumulative,
} from '../../metrics/histogram-deltas.js';
import type { MetricQuery } from '../../model/metric.js';
import type { DuckDb } from './database.js';
import {
  DISTRIBUTION_COLUMNS,
  type DistributionReadingRow,
  distributionReadingOf,
  READING_COLUMNS,
} from './metric-rows.js';
import { selectionOf } from './metric-sql.js';

/** Raises a 400 when a raw read returned more than `limit` rows. */
export function checkReadSize(rows: number, limit: number): void {
  if (rows <= limit) return;
  const message =
    `query reads more than ${limit} stored points; add matchers or ` +
    'shorten the range';
  throw new ValidationError(message, [{ path: 'matchers', message }]);
}

/**
 * Rebuilds a histogram or summary point with its series and time. Whether
 * it repeats earlier observations follows `isCumulative`, which counts a
 * summary stored without a temporality as cumulative.
 */
export function readingOfRow(row: DistributionReadingRow): DistributionReading {
  const reading = distributionReadingOf(row);
  return { ...reading, cumulative: isCumulative(reading, row.temporality) };
}

interface GroupedRow extends DistributionReadingRow {
  group_key: string;
}

/**
 * Reads the histogram and summary points a query selects, each with the
 * output series it belongs to. More than `maxRows` points is a 400.
 */
export async function readGroupedReadings(
  db: DuckDb,
  table: string,
  query: MetricQuery,
  maxRows: number,
): Promise<GroupedReading[]> {
  const selection = selectionOf(query);
  const rows = await db.query<GroupedRow>(
    `SELECT ${selection.group} AS group_key, ${READING_COLUMNS},
       ${DISTRIBUTION_COLUMNS}
     FROM ${table}
     WHERE ${selection.where} AND value IS NULL
     LIMIT $limit`,
    { ...selection.params, limit: BigInt(maxRows + 1) },
  );
  checkReadSize(rows.length, maxRows);
  return rows.map((row) => ({
    group: row.group_key,
    reading: readingOfRow(row),
  }));
}
