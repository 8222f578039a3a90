import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { MAX_QUERY_RANGE_MS } from '../limits.js';
import type {
  MetricStatistics,
  MetricStatisticsQuery,
  MetricType,
} from '../model/metric.js';
import { isoFromMs, timestampSchema } from '../model/time.js';
import {
  type DistributionSample,
  distributionPercentile,
} from './distributions.js';

/** Range read when the request gives no start: one hour. */
const DEFAULT_RANGE_MS = 3_600_000;

/**
 * Maximum range the statistics route reads: 31 days. Percentiles need
 * every value of the range, so the cap bounds that read.
 */
export const MAX_STATISTICS_RANGE_MS = MAX_QUERY_RANGE_MS;

/** The query string of the statistics route. */
export const statisticsParamsSchema = z.object({
  start: timestampSchema.optional(),
  end: timestampSchema.optional(),
});

export type StatisticsParams = z.output<typeof statisticsParamsSchema>;

function rangeError(message: string): ValidationError {
  return new ValidationError(`invalid query: start: ${message}`, [
    { path: 'start', message },
  ]);
}

/**
 * Resolves the statistics range: `end` defaults to `nowMs` and `start` to
 * an hour before `end`. Raises a 400 naming `start` for an empty,
 * backwards or too long range.
 */
export function toStatisticsQuery(
  service: string,
  metricName: string,
  params: StatisticsParams,
  nowMs: number,
): MetricStatisticsQuery {
  const end_ms = params.end ?? nowMs;
  const start_ms = params.start ?? end_ms - DEFAULT_RANGE_MS;
  if (start_ms >= end_ms) {
    throw rangeError('must be before end; swap them or widen the range');
  }
  if (end_ms - start_ms > MAX_STATISTICS_RANGE_MS) {
    const days = MAX_STATISTICS_RANGE_MS / 86_400_000;
    throw rangeError(
      `the range from start to end exceeds the maximum of ${days} days; ` +
        'move start closer to end',
    );
  }
  return { service, metric_name: metricName, start_ms, end_ms };
}

const NOTES: Partial<Record<MetricType, string>> = {
  histogram:
    'stddev is null: histograms keep bucket counts, not the raw values ' +
    'it needs; percentiles interpolate within buckets',
  summary:
    'stddev, min and max are null: summaries keep only count, sum and ' +
    'quantiles; percentiles are the matching quantiles, averaged',
};

/** Sums the counts, and the sums of the points that carry one. */
function totals(samples: readonly DistributionSample[]) {
  let count = 0;
  let sum = 0;
  let countWithSum = 0;
  for (const sample of samples) {
    const data =
      sample.histogram ?? sample.exponential_histogram ?? sample.summary;
    if (!data) continue;
    count += data.count;
    if (data.sum !== null) {
      sum += data.sum;
      countWithSum += data.count;
    }
  }
  return { count, mean: countWithSum > 0 ? sum / countWithSum : null };
}

/** Returns the smallest `min` and largest `max` when every histogram has them. */
function extremes(samples: readonly DistributionSample[]) {
  const data = samples.flatMap((s) => {
    const bucketed = s.histogram ?? s.exponential_histogram;
    return bucketed ? [bucketed] : [];
  });
  const mins = data.map((d) => d.min);
  const maxes = data.map((d) => d.max);
  const all = (values: (number | null)[]): values is number[] =>
    values.length > 0 && values.every((v) => v !== null);
  return {
    min: all(mins) ? mins.reduce((a, b) => Math.min(a, b)) : null,
    max: all(maxes) ? maxes.reduce((a, b) => Math.max(a, b)) : null,
  };
}

/**
 * Computes statistics of histogram or summary samples, each holding its
 * own observations: a cumulative point is what it adds to the one before
 * (`readingObservations` in `./histogram-deltas.ts`). Count is the sum of
 * counts, and mean is the sum of sums over the count of the points that
 * have a sum. Min and max are the extremes the
 * histograms carry, and percentiles come from `distributionPercentile`.
 * Standard deviation needs raw values, so it is null, and `note` explains
 * that.
 */
export function distributionStatistics(
  type: MetricType,
  unit: string,
  samples: readonly DistributionSample[],
): MetricStatistics {
  const note = NOTES[type];
  return {
    type,
    unit,
    ...totals(samples),
    ...extremes(samples),
    stddev: null,
    p50: distributionPercentile(samples, 0.5),
    p95: distributionPercentile(samples, 0.95),
    p99: distributionPercentile(samples, 0.99),
    ...(note ? { note } : {}),
  };
}

/** Formats statistics for the API, with the range in ISO 8601. */
export function statisticsResponse(
  query: MetricStatisticsQuery,
  stats: MetricStatistics,
) {
  return {
    service: query.service,
    metric_name: query.metric_name,
    start: isoFromMs(query.start_ms),
    end: isoFromMs(query.end_ms),
    ...stats,
  };
}
