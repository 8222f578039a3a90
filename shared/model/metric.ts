import type { Attributes } from './attributes.js';
import type { InstrumentationScope } from './span.js';

export const METRIC_TYPES = [
  'counter',
  'gauge',
  'histogram',
  'summary',
] as const;
export type MetricType = (typeof METRIC_TYPES)[number];

export const AGGREGATIONS = [
  'avg',
  'sum',
  'min',
  'max',
  'count',
  'rate',
  'increase',
  'p50',
  'p90',
  'p95',
  'p99',
] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

/** The percentile aggregations and the quantile each one computes. */
export const PERCENTILE_QUANTILES = {
  p50: 0.5,
  p90: 0.9,
  p95: 0.95,
  p99: 0.99,
} as const;
export type PercentileAggregation = keyof typeof PERCENTILE_QUANTILES;

/** Tells whether `aggregation` is one of p50, p90, p95 and p99. */
export function isPercentile(
  aggregation: Aggregation,
): aggregation is PercentileAggregation {
  return aggregation in PERCENTILE_QUANTILES;
}

/** Explicit-bucket histogram: `counts` has one more entry than `bounds`. */
export interface HistogramData {
  bounds: number[];
  counts: number[];
  count: number;
  /** Absent when the source had none or sent a non-finite sum. */
  sum: number | null;
  min: number | null;
  max: number | null;
}

export interface SummaryData {
  count: number;
  sum: number | null;
  quantiles: { quantile: number; value: number }[];
}

/**
 * Base-2 exponential histogram as OTLP defines it: bucket index i of a
 * range covers (base^(offset+i), base^(offset+i+1)] with base 2^(2^-scale).
 */
export interface ExponentialHistogramData {
  scale: number;
  zero_count: number;
  zero_threshold: number;
  positive: { offset: number; counts: number[] };
  negative: { offset: number; counts: number[] };
  count: number;
  sum: number | null;
  min: number | null;
  max: number | null;
}

/** One stored metric point; a series is service + name + labels. */
export interface MetricPoint {
  service: string;
  name: string;
  type: MetricType;
  unit: string;
  labels: Record<string, string>;
  timestamp_ms: number;
  /** Start of the cumulative interval; a new start time is a new series. */
  start_timestamp_ms: number | null;
  temporality: 'cumulative' | 'delta' | null;
  monotonic: boolean | null;
  /** The value of a counter or gauge; null for histograms and summaries. */
  value: number | null;
  histogram: HistogramData | null;
  exponential_histogram: ExponentialHistogramData | null;
  summary: SummaryData | null;
  /** The point's own attributes with their types; `labels` is their text. */
  attributes: Attributes;
  resource: Attributes;
  scope: InstrumentationScope | null;
}

export type MatchOperator = '=' | '!=' | '=~' | '!~';

/** Selects series by a label: equality or a full-match regular expression. */
export interface LabelMatcher {
  label: string;
  op: MatchOperator;
  value: string;
}

export interface MetricQuery {
  service: string;
  metric_name: string;
  matchers: LabelMatcher[];
  start_ms: number;
  end_ms: number;
  interval_ms: number;
  aggregation: Aggregation;
  /**
   * Labels to aggregate by: series that share these label values form one
   * output series carrying only these labels (a label a series lacks is
   * the empty string, and empty values are left out of the output). When
   * absent, each label set is its own series.
   */
  group_by?: string[];
}

export interface SeriesPoint {
  /** Start of the interval bucket. */
  timestamp_ms: number;
  value: number | null;
}

/** One series per distinct label set, one point per non-empty bucket. */
export interface Series {
  labels: Record<string, string>;
  points: SeriesPoint[];
}

/** Selects one metric of one service over [start_ms, end_ms). */
export interface MetricStatisticsQuery {
  service: string;
  metric_name: string;
  start_ms: number;
  end_ms: number;
}

/**
 * Summary statistics of one metric over a range. Counters and gauges are
 * described by their raw values. Histograms are described by their bucket
 * data, so `stddev` is null there and `note` explains why. Summaries have no
 * buckets: their percentiles come from the quantiles they carry.
 */
export interface MetricStatistics {
  /** Type and unit of the latest point; only points of that type count. */
  type: MetricType;
  unit: string;
  count: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Population standard deviation (divides by n, not n - 1). */
  stddev: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** Explanation of the statistics the data cannot give (left null). */
  note?: string;
}

/** Selects the metrics of a service, by name after `after`. */
export interface MetricListQuery {
  service: string;
  limit: number;
  after?: string;
}

/** One metric name of a service as the list route describes it. */
export interface MetricInfo {
  name: string;
  /** Type and unit of the latest point of the metric. */
  type: MetricType;
  unit: string;
  /** Every label key seen on the metric's points, sorted. */
  label_keys: string[];
  last_seen_ms: number;
}
