import { readingObservations } from '../../metrics/histogram-deltas.js';
import { distributionStatistics } from '../../metrics/statistics.js';
import type {
  MetricInfo,
  MetricListQuery,
  MetricStatistics,
  MetricStatisticsQuery,
  MetricType,
} from '../../model/metric.js';
import type { DuckDb } from './database.js';
import { checkReadSize, readingOfRow } from './metric-readings.js';
import {
  DISTRIBUTION_COLUMNS,
  type DistributionReadingRow,
  READING_COLUMNS,
} from './metric-rows.js';

const IN_RANGE = `service = $service AND name = $name
  AND timestamp_ms >= $start AND timestamp_ms < $end`;

function rangeParams(query: MetricStatisticsQuery) {
  return {
    service: query.service,
    name: query.metric_name,
    start: BigInt(query.start_ms),
    end: BigInt(query.end_ms),
  };
}

interface LatestRow {
  type: MetricType | null;
  unit: string | null;
}

interface ValueStatsRow {
  count: bigint;
  min: number | null;
  max: number | null;
  mean: number | null;
  stddev: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/**
 * Statistics of raw values. `stddev_pop` divides by n, and
 * `quantile_cont` is the type 7 percentile of shared/model/percentile.ts.
 */
async function valueStatistics(
  db: DuckDb,
  table: string,
  query: MetricStatisticsQuery,
  latest: { type: MetricType; unit: string },
): Promise<MetricStatistics> {
  const rows = await db.query<ValueStatsRow>(
    `SELECT count(value) AS count, min(value) AS min, max(value) AS max,
       avg(value) AS mean, stddev_pop(value) AS stddev,
       quantile_cont(value, 0.5) AS p50, quantile_cont(value, 0.95) AS p95,
       quantile_cont(value, 0.99) AS p99
     FROM ${table}
     WHERE ${IN_RANGE} AND type = $type AND value IS NOT NULL`,
    { ...rangeParams(query), type: latest.type },
  );
  const row = rows[0] as ValueStatsRow;
  return { ...latest, ...row, count: Number(row.count) };
}

/** Statistics of histogram or summary points, computed from their data. */
async function bucketStatistics(
  db: DuckDb,
  table: string,
  query: MetricStatisticsQuery,
  latest: { type: MetricType; unit: string },
  maxRows: number,
): Promise<MetricStatistics> {
  const rows = await db.query<DistributionReadingRow>(
    `SELECT ${READING_COLUMNS}, ${DISTRIBUTION_COLUMNS} FROM ${table}
     WHERE ${IN_RANGE} AND type = $type AND value IS NULL
     LIMIT $limit`,
    { ...rangeParams(query), type: latest.type, limit: BigInt(maxRows + 1) },
  );
  checkReadSize(rows.length, maxRows);
  const observed = readingObservations(rows.map(readingOfRow), query.start_ms);
  const samples = observed.filter((s) => s !== null);
  return distributionStatistics(latest.type, latest.unit, samples);
}

/**
 * Runs `MetricStore.statistics`: the type and unit of the latest point in
 * the range decide which points count and how. Returns null when the
 * metric has no points in the range.
 */
export async function queryStatistics(
  db: DuckDb,
  table: string,
  query: MetricStatisticsQuery,
  maxRows: number,
): Promise<MetricStatistics | null> {
  const [found] = await db.query<LatestRow>(
    `SELECT arg_max(type, timestamp_ms) AS type,
       arg_max(unit, timestamp_ms) AS unit
     FROM ${table} WHERE ${IN_RANGE}`,
    rangeParams(query),
  );
  if (!found?.type) return null;
  const latest = { type: found.type, unit: found.unit ?? '' };
  if (latest.type === 'counter' || latest.type === 'gauge') {
    return valueStatistics(db, table, query, latest);
  }
  return bucketStatistics(db, table, query, latest, maxRows);
}

interface InfoRow {
  name: string;
  type: MetricType;
  unit: string;
  label_keys_json: string;
  last_seen_ms: bigint;
}

/**
 * Runs `MetricStore.listMetrics`: one page of a service's metric names,
 * each with the type and unit of its latest point and the union of its
 * label keys, sorted by name.
 */
export async function listMetricInfo(
  db: DuckDb,
  table: string,
  query: MetricListQuery,
): Promise<MetricInfo[]> {
  const after = query.after === undefined ? '' : 'AND name > $after';
  const params = {
    service: query.service,
    limit: BigInt(query.limit),
    ...(query.after === undefined ? {} : { after: query.after }),
  };
  const rows = await db.query<InfoRow>(
    `WITH page AS (
       SELECT name, arg_max(type, timestamp_ms) AS type,
         arg_max(unit, timestamp_ms) AS unit,
         max(timestamp_ms) AS last_seen_ms
       FROM ${table} WHERE service = $service ${after}
       GROUP BY name ORDER BY name LIMIT $limit
     ),
     label_sets AS (
       SELECT m.name, any_value(m.labels) AS labels
       FROM ${table} m JOIN page USING (name)
       WHERE m.service = $service
       GROUP BY m.name, m.labels_key
     ),
     keys AS (
       SELECT name, list_sort(list(DISTINCT key)) AS label_keys
       FROM (SELECT name, unnest(map_keys(labels)) AS key FROM label_sets)
       GROUP BY name
     )
     SELECT page.*, to_json(coalesce(keys.label_keys, []))::VARCHAR
       AS label_keys_json
     FROM page LEFT JOIN keys USING (name)
     ORDER BY name`,
    params,
  );
  return rows.map((row) => ({
    name: row.name,
    type: row.type,
    unit: row.unit,
    label_keys: JSON.parse(row.label_keys_json) as string[],
    last_seen_ms: Number(row.last_seen_ms),
  }));
}
