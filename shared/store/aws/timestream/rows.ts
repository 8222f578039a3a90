import type {
  ExponentialHistogramData,
  HistogramData,
  MetricPoint,
  MetricType,
  SummaryData,
} from '#shared/model/metric.js';
import type { LabelColumn } from './metric-sql.js';
import { MEASURE } from './records.js';

/** A value of one result cell, typed by its column. */
export type Cell = string | number | boolean | null;

/** One result row by column name. */
export type Row = Record<string, Cell>;

const text = (cell: Cell | undefined) =>
  cell === null || cell === undefined ? null : String(cell);
const num = (cell: Cell | undefined) =>
  cell === null || cell === undefined ? null : Number(cell);
const list = (cell: Cell | undefined) =>
  cell === null || cell === undefined
    ? []
    : (JSON.parse(String(cell)) as number[]);

/** The labels a row carries in its label columns. */
export function rowLabels(
  row: Row,
  columns: readonly LabelColumn[],
): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const column of columns) {
    const value = text(row[column.alias]);
    if (value !== null) labels[column.key] = value;
  }
  return labels;
}

function histogramOf(row: Row, count: number): HistogramData | null {
  if (row[MEASURE.bounds] == null) return null;
  return {
    bounds: list(row[MEASURE.bounds]),
    counts: list(row[MEASURE.counts]),
    count,
    sum: num(row[MEASURE.sum]),
    min: num(row[MEASURE.min]),
    max: num(row[MEASURE.max]),
  };
}

function exponentialOf(
  row: Row,
  count: number,
): ExponentialHistogramData | null {
  const scale = num(row[MEASURE.expScale]);
  if (scale === null) return null;
  return {
    scale,
    zero_count: num(row[MEASURE.expZeroCount]) ?? 0,
    zero_threshold: num(row[MEASURE.expZeroThreshold]) ?? 0,
    positive: {
      offset: num(row[MEASURE.expPositiveOffset]) ?? 0,
      counts: list(row[MEASURE.expPositiveCounts]),
    },
    negative: {
      offset: num(row[MEASURE.expNegativeOffset]) ?? 0,
      counts: list(row[MEASURE.expNegativeCounts]),
    },
    count,
    sum: num(row[MEASURE.sum]),
    min: num(row[MEASURE.min]),
    max: num(row[MEASURE.max]),
  };
}

function summaryOf(row: Row, count: number): SummaryData | null {
  const cell = row[MEASURE.quantiles];
  if (cell == null) return null;
  const pairs = JSON.parse(String(cell)) as [number, number][];
  return {
    count,
    sum: num(row[MEASURE.sum]),
    quantiles: pairs.map(([quantile, value]) => ({ quantile, value })),
  };
}

function startOf(row: Row): number | null {
  return num(row.start_ms) ?? num(row[MEASURE.deltaStart]);
}

/**
 * Rebuilds a stored point from a row of `pointsSql`. The record keeps no
 * attributes, resource or scope, so those are empty here.
 */
export function pointOfRow(
  row: Row,
  columns: readonly LabelColumn[],
): MetricPoint {
  const count = num(row[MEASURE.count]) ?? 0;
  const monotonic = row[MEASURE.monotonic];
  return {
    service: text(row.service) ?? '',
    name: text(row.measure_name) ?? '',
    type: (text(row[MEASURE.type]) ?? 'gauge') as MetricType,
    unit: text(row[MEASURE.unit]) ?? '',
    labels: rowLabels(row, columns),
    timestamp_ms: num(row.time_ms) ?? 0,
    start_timestamp_ms: startOf(row),
    temporality: text(row[MEASURE.temporality]) as MetricPoint['temporality'],
    monotonic:
      monotonic === null || monotonic === undefined ? null : monotonic === true,
    value: num(row[MEASURE.value]),
    histogram: histogramOf(row, count),
    exponential_histogram: exponentialOf(row, count),
    summary: summaryOf(row, count),
    attributes: {},
    resource: {},
    scope: null,
  };
}
