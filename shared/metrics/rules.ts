import type {
  ExponentialHistogramData,
  HistogramData,
  MetricPoint,
  SummaryData,
} from '../model/metric.js';
import { type IngestWindow, outsideWindow } from '../model/time.js';
import { labelsProblem, resourceProblem } from './caps.js';

/** A problem with a point: the field and a message that names the fix. */
export interface PointProblem {
  field: string;
  message: string;
}

/** Renders a problem as the `reason` of a rejected batch item. */
export function describeProblem(problem: PointProblem): string {
  return `${problem.field}: ${problem.message}`;
}

const FINITE = 'must be a finite number; send a real number';
const COUNT = 'must be a non-negative integer';

const isCount = (n: number) => Number.isSafeInteger(n) && n >= 0;
const isFiniteOrNull = (n: number | null) => n === null || Number.isFinite(n);

/**
 * Checks that explicit-bucket boundaries are finite and strictly
 * increasing and that there is one more count than boundaries (the last
 * bucket is the overflow above the highest bound).
 */
export function bucketLayoutProblem(
  bounds: readonly number[],
  counts: readonly number[],
): string | undefined {
  if (counts.length !== bounds.length + 1) {
    return (
      `has ${counts.length} entries but ${bounds.length} bounds need ` +
      `${bounds.length + 1}; send one count per bucket plus the overflow`
    );
  }
  for (let i = 1; i < bounds.length; i++) {
    if ((bounds[i] as number) <= (bounds[i - 1] as number)) {
      return (
        `must be strictly increasing, but entry ${i} (${bounds[i]}) is not ` +
        `above entry ${i - 1} (${bounds[i - 1]}); sort and deduplicate them`
      );
    }
  }
  return undefined;
}

/** Checks that a distribution's `count` equals the sum of its buckets. */
export function bucketTotalProblem(
  count: number,
  bucketTotal: number,
): string | undefined {
  if (count === bucketTotal) return undefined;
  return (
    `is ${count} but the buckets hold ${bucketTotal} values; send the ` +
    'number of observations, which equals the sum of the bucket counts'
  );
}

const total = (counts: readonly number[]) =>
  counts.reduce((sum, n) => sum + n, 0);

function countsProblem(
  field: string,
  counts: readonly number[],
): PointProblem | undefined {
  const bad = counts.findIndex((n) => !isCount(n));
  if (bad < 0) return undefined;
  return { field: `${field}[${bad}]`, message: COUNT };
}

function extremesProblem(
  field: string,
  data: { sum: number | null; min: number | null; max: number | null },
): PointProblem | undefined {
  for (const key of ['sum', 'min', 'max'] as const) {
    if (!isFiniteOrNull(data[key])) {
      return {
        field: `${field}.${key}`,
        message: `${FINITE}, or leave it out`,
      };
    }
  }
  if (data.min !== null && data.max !== null && data.min > data.max) {
    return { field: `${field}.min`, message: 'must not exceed max' };
  }
  return undefined;
}

function histogramProblem(h: HistogramData): PointProblem | undefined {
  const field = 'histogram';
  if (!isCount(h.count)) return { field: `${field}.count`, message: COUNT };
  if (!h.bounds.every(Number.isFinite)) {
    return { field: `${field}.bounds`, message: FINITE };
  }
  const layout = bucketLayoutProblem(h.bounds, h.counts);
  if (layout) return { field: `${field}.counts`, message: layout };
  const bad = countsProblem(`${field}.counts`, h.counts);
  if (bad) return bad;
  const mismatch = bucketTotalProblem(h.count, total(h.counts));
  if (mismatch) return { field: `${field}.count`, message: mismatch };
  return extremesProblem(field, h);
}

function exponentialProblem(
  e: ExponentialHistogramData,
): PointProblem | undefined {
  const field = 'exponential_histogram';
  if (!Number.isInteger(e.scale) || e.scale < -10 || e.scale > 20) {
    return {
      field: `${field}.scale`,
      message: 'must be an integer from -10 to 20, as OTLP defines it',
    };
  }
  for (const key of ['count', 'zero_count'] as const) {
    if (!isCount(e[key])) return { field: `${field}.${key}`, message: COUNT };
  }
  if (!(Number.isFinite(e.zero_threshold) && e.zero_threshold >= 0)) {
    return {
      field: `${field}.zero_threshold`,
      message: 'must be a finite number of at least 0',
    };
  }
  for (const side of ['positive', 'negative'] as const) {
    if (!Number.isSafeInteger(e[side].offset)) {
      return {
        field: `${field}.${side}.offset`,
        message: 'must be an integer',
      };
    }
    const bad = countsProblem(`${field}.${side}.counts`, e[side].counts);
    if (bad) return bad;
  }
  const inBuckets =
    e.zero_count + total(e.positive.counts) + total(e.negative.counts);
  const mismatch = bucketTotalProblem(e.count, inBuckets);
  if (mismatch) return { field: `${field}.count`, message: mismatch };
  return extremesProblem(field, e);
}

function summaryProblem(s: SummaryData): PointProblem | undefined {
  if (!isCount(s.count)) return { field: 'summary.count', message: COUNT };
  if (!isFiniteOrNull(s.sum)) {
    return { field: 'summary.sum', message: `${FINITE}, or leave it out` };
  }
  for (const [i, q] of s.quantiles.entries()) {
    if (!(Number.isFinite(q.quantile) && q.quantile >= 0 && q.quantile <= 1)) {
      return {
        field: `summary.quantiles[${i}].quantile`,
        message: 'must be a number from 0 to 1, such as 0.99',
      };
    }
    if (!Number.isFinite(q.value)) {
      return { field: `summary.quantiles[${i}].value`, message: FINITE };
    }
  }
  return undefined;
}

function valueProblem(point: MetricPoint): PointProblem | undefined {
  if (point.value === null || !Number.isFinite(point.value)) {
    return { field: 'value', message: FINITE };
  }
  if (point.type === 'counter' && point.monotonic !== false) {
    if (point.value < 0) {
      return {
        field: 'value',
        message:
          'must not be negative for a counter; send a gauge for values ' +
          'that go down',
      };
    }
  }
  return undefined;
}

function payloadProblem(point: MetricPoint): PointProblem | undefined {
  switch (point.type) {
    case 'counter':
    case 'gauge':
      return valueProblem(point);
    case 'histogram':
      if (point.histogram) return histogramProblem(point.histogram);
      if (point.exponential_histogram) {
        return exponentialProblem(point.exponential_histogram);
      }
      return {
        field: 'histogram',
        message: 'is missing; send bucket bounds and counts',
      };
    case 'summary':
      if (point.summary) return summaryProblem(point.summary);
      return {
        field: 'summary',
        message: 'is missing; send count, sum and quantiles',
      };
  }
}

function timeProblem(
  point: MetricPoint,
  window: IngestWindow,
): PointProblem | undefined {
  const outside = outsideWindow(point.timestamp_ms, window);
  if (outside) return { field: 'timestamp', message: outside };
  const start = point.start_timestamp_ms;
  if (start !== null && !(start >= 0 && start <= point.timestamp_ms)) {
    return {
      field: 'start_timestamp',
      message:
        'must not be after the timestamp; send the time the cumulative ' +
        'interval began',
    };
  }
  return undefined;
}

/**
 * Checks a domain point before it is stored: names present, label and
 * resource caps, finite numbers, counts that are non-negative integers, a
 * consistent bucket layout, quantiles in [0, 1], non-negative monotonic
 * counters and a timestamp inside the ingest window. Returns the first
 * problem found.
 */
export function pointProblem(
  point: MetricPoint,
  window: IngestWindow,
): PointProblem | undefined {
  if (point.service.trim() === '') {
    return { field: 'service', message: 'is empty; send the service name' };
  }
  if (point.name.trim() === '') {
    return { field: 'name', message: 'is empty; send the metric name' };
  }
  return (
    labelsProblem(point) ??
    resourceProblem(point) ??
    payloadProblem(point) ??
    timeProblem(point, window)
  );
}
