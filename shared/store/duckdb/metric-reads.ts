import { ValidationError } from '../../errors.js';
import {
  type DistributionSample,
  distributionPercentile,
} from '../../metrics/distributions.js';
import { readingObservations } from '../../metrics/histogram-deltas.js';
import { groupLabels } from '../../metrics/identity.js';
import {
  bucketIncreases,
  type CounterReading,
} from '../../metrics/increase.js';
import {
  isPercentile,
  type MetricQuery,
  PERCENTILE_QUANTILES,
  type PercentileAggregation,
  type Series,
  type SeriesPoint,
} from '../../model/metric.js';
import type { DuckDb } from './database.js';
import { checkReadSize, readGroupedReadings } from './metric-readings.js';
import { bucketQuery, type SqlAggregation, selectionOf } from './metric-sql.js';
import { queryTotals } from './metric-totals.js';

/** Points per output series, keyed by group key. */
type SeriesByGroup = Map<string, SeriesPoint[]>;

/** Orders text by UTF-16 code units, as `<` does. */
function compareText(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/** Builds series sorted by group key, labelled by the query's `group_by`. */
function toSeries(groups: SeriesByGroup, query: MetricQuery): Series[] {
  return [...groups.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([key, points]) => ({
      labels: groupLabels(query.group_by, key),
      points,
    }));
}

interface AggregateRow {
  group_key: string;
  bucket_ms: bigint;
  value: number | null;
}

async function queryBuckets(
  db: DuckDb,
  table: string,
  query: MetricQuery,
  aggregation: SqlAggregation,
): Promise<SeriesByGroup> {
  const statement = bucketQuery(table, query, aggregation);
  const rows = await db.query<AggregateRow>(statement.sql, statement.params);
  const groups: SeriesByGroup = new Map();
  for (const row of rows) {
    const points = groups.get(row.group_key) ?? [];
    points.push({ timestamp_ms: Number(row.bucket_ms), value: row.value });
    groups.set(row.group_key, points);
  }
  return groups;
}

interface ReadingRow {
  group_key: string;
  labels_key: string;
  start_timestamp_ms: bigint | null;
  timestamp_ms: bigint;
  type: string;
  temporality: string | null;
  value: number | null;
}

function gaugeRejected(query: MetricQuery): ValidationError {
  const message =
    `${query.aggregation} applies to counters, histograms and summaries, ` +
    `but ${query.metric_name} has gauge points; use avg, min, max or a ` +
    'percentile';
  return new ValidationError(`invalid body: aggregation: ${message}`, [
    { path: 'aggregation', message },
  ]);
}

function readingOf(row: ReadingRow): CounterReading {
  const start = row.start_timestamp_ms;
  return {
    group: row.group_key,
    series: row.labels_key,
    start_timestamp_ms: start === null ? null : Number(start),
    timestamp_ms: Number(row.timestamp_ms),
    value: row.value ?? 0,
    delta: row.temporality === 'delta',
  };
}

/**
 * Reads counter values (and histogram and summary counts) in series order
 * and computes increase or rate per bucket in code, by the definition in
 * `shared/metrics/increase.ts`. A gauge that is not a delta sum has no
 * increase, so it is a 400 naming `aggregation`.
 */
async function queryIncreases(
  db: DuckDb,
  table: string,
  query: MetricQuery,
  maxRows: number,
): Promise<SeriesByGroup> {
  const selection = selectionOf(query);
  const rows = await db.query<ReadingRow>(
    `SELECT ${selection.group} AS group_key, labels_key, start_timestamp_ms,
       timestamp_ms, type, temporality,
       coalesce(value, count::DOUBLE) AS value
     FROM ${table}
     WHERE ${selection.where}
     ORDER BY labels_key, start_timestamp_ms NULLS FIRST, timestamp_ms
     LIMIT $limit`,
    { ...selection.params, limit: BigInt(maxRows + 1) },
  );
  checkReadSize(rows.length, maxRows);
  if (rows.some((r) => r.type === 'gauge' && r.temporality !== 'delta')) {
    throw gaugeRejected(query);
  }
  return bucketIncreases(rows.map(readingOf), {
    start_ms: query.start_ms,
    interval_ms: query.interval_ms,
    per_second: query.aggregation === 'rate',
  });
}

/**
 * Observations of the query's histogram and summary points, per group and
 * bucket: a cumulative point becomes the observations it adds
 * (`shared/metrics/histogram-deltas.ts`). A bucket whose points add none
 * stays, empty, so it still gets a point.
 */
async function readDistributions(
  db: DuckDb,
  table: string,
  query: MetricQuery,
  maxRows: number,
): Promise<Map<string, Map<number, DistributionSample[]>>> {
  const items = await readGroupedReadings(db, table, query, maxRows);
  const observed = readingObservations(
    items.map((item) => item.reading),
    query.start_ms,
  );
  const cells = new Map<string, Map<number, DistributionSample[]>>();
  items.forEach(({ group, reading }, i) => {
    const buckets = cells.get(group) ?? new Map();
    cells.set(group, buckets);
    const bucket =
      Math.floor(reading.timestamp_ms / query.interval_ms) * query.interval_ms;
    const samples = buckets.get(bucket) ?? [];
    const sample = observed[i];
    if (sample) samples.push(sample);
    buckets.set(bucket, samples);
  });
  return cells;
}

/**
 * Percentiles per bucket: `quantile_cont` over raw values in SQL, and the
 * bucket interpolation of `shared/model/histogram-percentile.ts` over
 * histograms and summaries in code. A bucket with raw values takes their
 * percentile and ignores distribution points of the same bucket.
 */
async function queryPercentiles(
  db: DuckDb,
  table: string,
  query: MetricQuery,
  aggregation: PercentileAggregation,
  maxRows: number,
): Promise<SeriesByGroup> {
  const groups = await queryBuckets(db, table, query, aggregation);
  const distributions = await readDistributions(db, table, query, maxRows);
  const q = PERCENTILE_QUANTILES[aggregation];
  for (const [group, buckets] of distributions) {
    const points = groups.get(group) ?? [];
    const computed = new Set(points.map((p) => p.timestamp_ms));
    for (const [timestamp_ms, samples] of buckets) {
      if (computed.has(timestamp_ms)) continue;
      points.push({ timestamp_ms, value: distributionPercentile(samples, q) });
    }
    points.sort((a, b) => a.timestamp_ms - b.timestamp_ms);
    groups.set(group, points);
  }
  return groups;
}

/**
 * Runs a metric query on the metric table: one series per label set or
 * `group_by` group, one point per bucket with data. `maxRows` caps
 * the points read into memory for increases and distributions.
 */
export async function runMetricQuery(
  db: DuckDb,
  table: string,
  query: MetricQuery,
  maxRows: number,
): Promise<Series[]> {
  const { aggregation } = query;
  let groups: SeriesByGroup;
  if (aggregation === 'rate' || aggregation === 'increase') {
    groups = await queryIncreases(db, table, query, maxRows);
  } else if (isPercentile(aggregation)) {
    groups = await queryPercentiles(db, table, query, aggregation, maxRows);
  } else if (aggregation === 'min' || aggregation === 'max') {
    groups = await queryBuckets(db, table, query, aggregation);
  } else {
    groups = await queryTotals(db, table, query, aggregation, maxRows);
  }
  return toSeries(groups, query);
}
