import { ValidationError } from '#shared/errors.js';
import {
  type DistributionSample,
  distributionPercentile,
} from '#shared/metrics/distributions.js';
import {
  pointReading,
  readingObservations,
} from '#shared/metrics/histogram-deltas.js';
import { canonicalLabels, groupLabels } from '#shared/metrics/identity.js';
import {
  bucketIncreases,
  type CounterReading,
} from '#shared/metrics/increase.js';
import {
  isPercentile,
  type MetricPoint,
  type MetricQuery,
  PERCENTILE_QUANTILES,
  type PercentileAggregation,
  type Series,
  type SeriesPoint,
} from '#shared/model/metric.js';
import { percentile, sortAscending } from '#shared/model/percentile.js';
import { groupKey, rowGroupKey } from './groups.js';
import {
  aggregateSql,
  labelColumns,
  rangeWhere,
  type SqlAggregation,
  type SqlTarget,
} from './metric-sql.js';
import { describeTable, readPoints, type TimestreamReader } from './reader.js';
import { queryTotals } from './totals.js';

/** Points per output series, keyed by group key. */
type SeriesByGroup = Map<string, SeriesPoint[]>;

/** Builds series sorted by group key, labelled as the query asks. */
function toSeries(groups: SeriesByGroup, query: MetricQuery): Series[] {
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, points]) => ({
      labels: groupLabels(query.group_by, key),
      points: points.sort((a, b) => a.timestamp_ms - b.timestamp_ms),
    }));
}

function add<T>(map: Map<string, T[]>, key: string, item: T): void {
  const items = map.get(key);
  if (items) items.push(item);
  else map.set(key, [item]);
}

async function queryAggregate(
  reader: TimestreamReader,
  target: SqlTarget,
  query: MetricQuery,
  aggregation: SqlAggregation,
): Promise<SeriesByGroup> {
  const rows = await reader.rows(aggregateSql(target, query, aggregation));
  const columns = labelColumns(target.schema);
  const groups: SeriesByGroup = new Map();
  for (const row of rows) {
    const key = rowGroupKey(row, columns, query);
    const value = row.value === null ? null : Number(row.value);
    add(groups, key, { timestamp_ms: Number(row.bucket_ms), value });
  }
  return groups;
}

function gaugeRejected(query: MetricQuery): ValidationError {
  const message =
    `${query.aggregation} applies to counters, histograms and summaries, ` +
    `but ${query.metric_name} has gauge points; use avg, min, max or a ` +
    'percentile';
  return new ValidationError(message, [{ path: 'aggregation', message }]);
}

function readingOf(point: MetricPoint, groupBy?: string[]): CounterReading {
  const count =
    point.histogram?.count ??
    point.exponential_histogram?.count ??
    point.summary?.count;
  return {
    group: groupKey(point.labels, groupBy),
    series: canonicalLabels(point.labels),
    start_timestamp_ms: point.start_timestamp_ms,
    timestamp_ms: point.timestamp_ms,
    value: point.value ?? count ?? 0,
    delta: point.temporality === 'delta',
  };
}

/** Orders readings by series, then start time (none first), then time. */
function compareReadings(a: CounterReading, b: CounterReading): number {
  if (a.series !== b.series) return a.series < b.series ? -1 : 1;
  const startA = a.start_timestamp_ms ?? Number.NEGATIVE_INFINITY;
  const startB = b.start_timestamp_ms ?? Number.NEGATIVE_INFINITY;
  if (startA !== startB) return startA - startB;
  return a.timestamp_ms - b.timestamp_ms;
}

/**
 * Reads counter values (and histogram and summary counts) and computes
 * increase or rate per bucket by the definition in
 * `shared/metrics/increase.ts`. A gauge that is not a delta sum has no
 * increase, so it is a 400 naming `aggregation`.
 */
async function queryIncreases(
  reader: TimestreamReader,
  target: SqlTarget,
  query: MetricQuery,
): Promise<SeriesByGroup> {
  const { points } = await readPoints(
    reader,
    target,
    rangeWhere(target, query),
  );
  if (points.some((p) => p.type === 'gauge' && p.temporality !== 'delta')) {
    throw gaugeRejected(query);
  }
  const readings = points.map((p) => readingOf(p, query.group_by));
  readings.sort(compareReadings);
  return bucketIncreases(readings, {
    start_ms: query.start_ms,
    interval_ms: query.interval_ms,
    per_second: query.aggregation === 'rate',
  });
}

/** The raw values and distributions of one series bucket. */
interface BucketCell {
  values: number[];
  samples: DistributionSample[];
}

/**
 * Percentiles per bucket by the shared definitions: the type 7 percentile
 * of `shared/model/percentile.ts` over raw values, and the bucket
 * interpolation of `shared/model/histogram-percentile.ts` over histograms
 * and summaries, with cumulative histograms turned into the observations
 * each point adds (`shared/metrics/histogram-deltas.ts`). A bucket with
 * raw values takes their percentile and
 * ignores distribution points of the same bucket, as the DuckDB store
 * does. Timestream's `approx_percentile` is an approximation, so it is
 * not used.
 */
async function queryPercentiles(
  reader: TimestreamReader,
  target: SqlTarget,
  query: MetricQuery,
  aggregation: PercentileAggregation,
): Promise<SeriesByGroup> {
  const { points } = await readPoints(
    reader,
    target,
    rangeWhere(target, query),
  );
  const readings = points.map(pointReading);
  const observed = readingObservations(readings, query.start_ms);
  const cells = new Map<string, Map<number, BucketCell>>();
  points.forEach((point, i) => {
    const key = groupKey(point.labels, query.group_by);
    const buckets = cells.get(key) ?? new Map<number, BucketCell>();
    cells.set(key, buckets);
    const bucket =
      Math.floor(point.timestamp_ms / query.interval_ms) * query.interval_ms;
    const cell = buckets.get(bucket) ?? { values: [], samples: [] };
    buckets.set(bucket, cell);
    const sample = observed[i];
    if (point.value !== null) cell.values.push(point.value);
    else if (sample) cell.samples.push(sample);
  });

  const q = PERCENTILE_QUANTILES[aggregation];
  const groups: SeriesByGroup = new Map();
  for (const [key, buckets] of cells) {
    for (const [timestamp_ms, cell] of buckets) {
      const value =
        cell.values.length > 0
          ? percentile(sortAscending(cell.values), q)
          : distributionPercentile(cell.samples, q);
      add(groups, key, { timestamp_ms, value });
    }
  }
  return groups;
}

/** Builds the 400 for a regular expression that does not compile. */
function invalidRegex(index: number, error: unknown): ValidationError {
  const reason = error instanceof Error ? error.message : String(error);
  const path = `matchers[${index}].value`;
  return new ValidationError(
    `${path} is not a valid regular expression (${reason}); fix the pattern`,
    [{ path, message: `invalid regular expression: ${reason}` }],
    error,
  );
}

/**
 * Compiles each regex matcher before the query is sent, so a bad pattern
 * is a 400 naming the matcher rather than a failed Timestream query.
 */
export function checkRegexes(query: MetricQuery): void {
  for (const [index, matcher] of query.matchers.entries()) {
    if (matcher.op !== '=~' && matcher.op !== '!~') continue;
    try {
      new RegExp(matcher.value);
    } catch (error) {
      throw invalidRegex(index, error);
    }
  }
}

/**
 * Runs `MetricStore.query` on Timestream: one series per label set or
 * `group_by` group, one point per bucket that holds data.
 */
export async function queryMetric(
  reader: TimestreamReader,
  query: MetricQuery,
): Promise<Series[]> {
  checkRegexes(query);
  const target = await describeTable(reader);
  const { aggregation } = query;
  let groups: SeriesByGroup;
  if (aggregation === 'rate' || aggregation === 'increase') {
    groups = await queryIncreases(reader, target, query);
  } else if (isPercentile(aggregation)) {
    groups = await queryPercentiles(reader, target, query, aggregation);
  } else if (aggregation === 'min' || aggregation === 'max') {
    groups = await queryAggregate(reader, target, query, aggregation);
  } else {
    groups = await queryTotals(reader, target, query, aggregation);
  }
  return toSeries(groups, query);
}
