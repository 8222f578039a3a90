import {
  pointReading,
  readingObservations,
} from '#shared/metrics/histogram-deltas.js';
import { distributionStatistics } from '#shared/metrics/statistics.js';
import type {
  MetricInfo,
  MetricListQuery,
  MetricStatistics,
  MetricStatisticsQuery,
  MetricType,
} from '#shared/model/metric.js';
import { percentile, sortAscending } from '#shared/model/percentile.js';
import {
  labelColumns,
  latestTypeSql,
  metricListSql,
  rangeWhere,
  type SqlTarget,
} from './metric-sql.js';
import { describeTable, readPoints, type TimestreamReader } from './reader.js';
import { MEASURE } from './records.js';
import { quoteLiteral } from './sql.js';

/** The type and unit of the latest point of a range, if it has any. */
async function latestType(
  reader: TimestreamReader,
  target: SqlTarget,
  query: MetricStatisticsQuery,
): Promise<{ type: MetricType; unit: string } | null> {
  const [row] = await reader.rows(latestTypeSql(target, query));
  if (!row?.type) return null;
  return { type: row.type as MetricType, unit: String(row.unit ?? '') };
}

/**
 * Statistics of raw values: `stddev` is the population standard
 * deviation (divides by n), and percentiles are the type 7 definition of
 * `shared/model/percentile.ts`.
 */
export function valueStatistics(
  latest: { type: MetricType; unit: string },
  values: readonly number[],
): MetricStatistics {
  const sorted = sortAscending(values);
  const count = sorted.length;
  const mean = count > 0 ? sorted.reduce((a, b) => a + b, 0) / count : null;
  const variance =
    mean === null
      ? null
      : sorted.reduce((sum, v) => sum + (v - mean) ** 2, 0) / count;
  return {
    ...latest,
    count,
    min: sorted[0] ?? null,
    max: sorted[count - 1] ?? null,
    mean,
    stddev: variance === null ? null : Math.sqrt(variance),
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
  };
}

/**
 * Runs `MetricStore.statistics`: the type and unit of the latest point in
 * the range decide which points count and how, as in the DuckDB store.
 * Points are read whole (at most `maxReadPoints`) because percentiles
 * follow the shared definitions. Returns null for a range without points.
 */
export async function queryStatistics(
  reader: TimestreamReader,
  query: MetricStatisticsQuery,
): Promise<MetricStatistics | null> {
  const target = await describeTable(reader);
  const latest = await latestType(reader, target, query);
  if (!latest) return null;

  const typeColumn = target.schema.column(MEASURE.type, 'VARCHAR');
  const where =
    `${rangeWhere(target, query)}\n  AND ${typeColumn} = ` +
    quoteLiteral(latest.type);
  const { points } = await readPoints(reader, target, where);
  if (latest.type === 'counter' || latest.type === 'gauge') {
    const values = points.flatMap((p) => (p.value === null ? [] : [p.value]));
    return valueStatistics(latest, values);
  }
  const readings = points.filter((p) => p.value === null).map(pointReading);
  const observed = readingObservations(readings, query.start_ms);
  const samples = observed.filter((s) => s !== null);
  return distributionStatistics(latest.type, latest.unit, samples);
}

/**
 * Runs `MetricStore.listMetrics`: one page of a service's metric names,
 * each with the type and unit of its latest point and every label key
 * its points carry, sorted by name.
 *
 * NOTE: the port gives no time range, so this query scans every stored
 * point of the service, and Timestream meters it by the bytes scanned.
 */
export async function listMetricInfo(
  reader: TimestreamReader,
  query: MetricListQuery,
): Promise<MetricInfo[]> {
  const target = await describeTable(reader);
  const columns = labelColumns(target.schema);
  const rows = await reader.rows(metricListSql(target, query));
  return rows.map((row) => ({
    name: String(row.name),
    type: String(row.type) as MetricType,
    unit: String(row.unit ?? ''),
    label_keys: columns
      .filter((_, i) => Number(row[`k${i}`] ?? 0) > 0)
      .map((c) => c.key),
    last_seen_ms: Number(row.last_seen_ms),
  }));
}
