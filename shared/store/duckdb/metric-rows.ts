import type { DistributionSample } from '../../metrics/distributions.js';
import type { DistributionReading } from '../../metrics/histogram-deltas.js';

/**
 * Columns that rebuild a histogram or summary point. Lists come back as
 * JSON text, which is simpler to read than DuckDB list values.
 */
export const DISTRIBUTION_COLUMNS = `
  to_json(bucket_bounds)::VARCHAR AS bounds_json,
  to_json(bucket_counts)::VARCHAR AS counts_json,
  count, sum, min, max,
  exp_scale, exp_zero_count, exp_zero_threshold,
  exp_positive_offset,
  to_json(exp_positive_counts)::VARCHAR AS exp_positive_json,
  exp_negative_offset,
  to_json(exp_negative_counts)::VARCHAR AS exp_negative_json,
  to_json(quantiles)::VARCHAR AS quantiles_json,
  to_json(quantile_values)::VARCHAR AS quantile_values_json`;

/** One row of {@link DISTRIBUTION_COLUMNS}. */
export interface DistributionRow {
  bounds_json: string | null;
  counts_json: string | null;
  count: bigint | null;
  sum: number | null;
  min: number | null;
  max: number | null;
  exp_scale: number | null;
  exp_zero_count: bigint | null;
  exp_zero_threshold: number | null;
  exp_positive_offset: number | null;
  exp_positive_json: string | null;
  exp_negative_offset: number | null;
  exp_negative_json: string | null;
  quantiles_json: string | null;
  quantile_values_json: string | null;
}

const numbers = (text: string | null): number[] =>
  text === null ? [] : (JSON.parse(text) as number[]);

function exponentialOf(row: DistributionRow, count: number) {
  if (row.exp_scale === null) return null;
  return {
    scale: row.exp_scale,
    zero_count: Number(row.exp_zero_count ?? 0),
    zero_threshold: row.exp_zero_threshold ?? 0,
    positive: {
      offset: row.exp_positive_offset ?? 0,
      counts: numbers(row.exp_positive_json),
    },
    negative: {
      offset: row.exp_negative_offset ?? 0,
      counts: numbers(row.exp_negative_json),
    },
    count,
    sum: row.sum,
    min: row.min,
    max: row.max,
  };
}

function summaryOf(row: DistributionRow, count: number) {
  if (row.quantiles_json === null) return null;
  const values = numbers(row.quantile_values_json);
  const quantiles = numbers(row.quantiles_json).map((quantile, i) => ({
    quantile,
    value: values[i] as number,
  }));
  return { count, sum: row.sum, quantiles };
}

/** Rebuilds the distribution of a stored histogram or summary point. */
export function sampleOf(row: DistributionRow): DistributionSample {
  const count = Number(row.count ?? 0);
  const histogram =
    row.bounds_json === null
      ? null
      : {
          bounds: numbers(row.bounds_json),
          counts: numbers(row.counts_json),
          count,
          sum: row.sum,
          min: row.min,
          max: row.max,
        };
  return {
    histogram,
    exponential_histogram: exponentialOf(row, count),
    summary: summaryOf(row, count),
  };
}

/** Columns naming the series and time of a distribution point. */
export const READING_COLUMNS =
  'labels_key, start_timestamp_ms, timestamp_ms, temporality';

/** One row of {@link READING_COLUMNS} and {@link DISTRIBUTION_COLUMNS}. */
export interface DistributionReadingRow extends DistributionRow {
  labels_key: string;
  start_timestamp_ms: bigint | null;
  timestamp_ms: bigint;
  temporality: string | null;
}

/** Rebuilds a histogram or summary point with its series and time. */
export function distributionReadingOf(
  row: DistributionReadingRow,
): DistributionReading {
  const start = row.start_timestamp_ms;
  return {
    ...sampleOf(row),
    series: row.labels_key,
    start_timestamp_ms: start === null ? null : Number(start),
    timestamp_ms: Number(row.timestamp_ms),
    cumulative: row.temporality === 'cumulative',
  };
}
