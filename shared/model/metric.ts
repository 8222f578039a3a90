import type { Attributes } from './attributes.js';
import type { InstrumentationScope } from './span.js';

export const METRIC_TYPES = [
  'counter',
  'gauge',
  'histogram',
  'summary',
] as const;
export type MetricType = (typeof METRIC_TYPES)[number];

export const AGGREGATIONS = ['avg', 'sum', 'min', 'max', 'count'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

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
