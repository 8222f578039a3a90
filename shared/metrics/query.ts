import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { MAX_QUERY_RANGE_MS } from '../limits.js';
import {
  AGGREGATIONS,
  type LabelMatcher,
  type MetricQuery,
  type Series,
} from '../model/metric.js';
import { isoFromMs, timestampSchema } from '../model/time.js';

/** Maximum number of interval buckets one query may span. */
export const MAX_QUERY_BUCKETS = 11_000;
/**
 * Maximum number of points one query returns across all its series. At
 * about 70 bytes of JSON per point this keeps a response near 3.5 MB,
 * below the 6 MB that a synchronous Lambda may return.
 */
export const MAX_QUERY_POINTS = 50_000;
/**
 * Maximum number of stored points a store reads into memory for one
 * increase, rate, distribution percentile or statistics computation.
 * At a few hundred bytes per point this is on the order of 100 MB.
 */
export const MAX_READ_POINTS = 250_000;
/** Maximum number of label conditions in one query: matchers and labels. */
export const MAX_MATCHERS = 32;
/** Maximum number of labels in `group_by`. */
export const MAX_GROUP_BY = 16;
const DEFAULT_RANGE_MS = 3_600_000;
const DEFAULT_INTERVAL_MS = 60_000;

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const INTERVAL_TEXT = /^(\d+)(s|m|h|d)?$/;

/**
 * A bucket width: `30s`, `1m`, `5m`, `1h`, `1d`, or a whole number of
 * seconds (as a number or digits). Parses to milliseconds.
 */
export const intervalSchema = z
  .union([z.number(), z.string()])
  .transform((value, ctx) => {
    const ms = parseInterval(value);
    if (ms === undefined) {
      ctx.addIssue({
        code: 'custom',
        message:
          `invalid interval ${JSON.stringify(value)}: send a positive ` +
          "duration such as '30s', '1m', '5m', '1h' or a number of seconds",
      });
      return z.NEVER;
    }
    return ms;
  });

/** Parses an interval to milliseconds, or undefined when invalid. */
export function parseInterval(value: number | string): number | undefined {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value > 0 ? value * 1_000 : undefined;
  }
  const match = INTERVAL_TEXT.exec(value.trim());
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = (match[2] ?? 's') as keyof typeof UNIT_MS;
  const ms = amount * UNIT_MS[unit];
  return amount > 0 && Number.isSafeInteger(ms) ? ms : undefined;
}

const matcherSchema = z.object({
  label: z
    .string({ error: 'is missing; send the label name' })
    .min(1, { error: 'is empty; send the label name' }),
  op: z.enum(['=', '!=', '=~', '!~'], {
    error: "must be one of '=', '!=', '=~' or '!~'",
  }),
  value: z.string({ error: 'must be a string; quote numbers' }),
});

/** The body of a metric query request. */
export const metricQuerySchema = z.object({
  service: z.string({ error: 'is missing; send the service name' }).min(1, {
    error: 'is empty; send the service name',
  }),
  metric_name: z
    .string({ error: 'is missing; send the metric name' })
    .min(1, { error: 'is empty; send the metric name' }),
  matchers: z
    .array(matcherSchema)
    .max(MAX_MATCHERS, { error: `must have at most ${MAX_MATCHERS} entries` })
    .default([]),
  labels: z
    .record(z.string(), z.string({ error: 'must be a string; quote numbers' }))
    .optional(),
  start: timestampSchema.optional(),
  end: timestampSchema.optional(),
  // A zod 4 default is the parsed output, so it is in milliseconds.
  interval: intervalSchema.default(DEFAULT_INTERVAL_MS),
  aggregation: z
    .enum(AGGREGATIONS, {
      error: `must be one of ${AGGREGATIONS.join(', ')}`,
    })
    .default('avg'),
  group_by: z
    .array(
      z
        .string({ error: 'must be a label name' })
        .min(1, { error: 'is empty; send a label name' }),
      { error: 'must be an array of label names, such as ["host"]' },
    )
    .max(MAX_GROUP_BY, { error: `must have at most ${MAX_GROUP_BY} labels` })
    .refine((labels) => new Set(labels).size === labels.length, {
      error: 'must not repeat a label; list each label once',
    })
    .optional(),
});

export type MetricQueryInput = z.output<typeof metricQuerySchema>;

function invalid(path: string, message: string): ValidationError {
  return new ValidationError(`invalid body: ${path}: ${message}`, [
    { path, message },
  ]);
}

function checkRegexes(matchers: LabelMatcher[]): void {
  for (const [i, matcher] of matchers.entries()) {
    if (matcher.op !== '=~' && matcher.op !== '!~') continue;
    try {
      new RegExp(matcher.value);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw invalid(
        `matchers[${i}].value`,
        `is not a valid regular expression (${reason}); fix the pattern`,
      );
    }
  }
}

/** Number of epoch-aligned buckets that [start, end) touches. */
export function bucketCount(
  startMs: number,
  endMs: number,
  intervalMs: number,
) {
  const first = Math.floor(startMs / intervalMs);
  const last = Math.floor((endMs - 1) / intervalMs);
  return last - first + 1;
}

function checkRange(start: number, end: number, interval: number): void {
  if (start >= end) {
    throw invalid('start', 'must be before end; swap them or widen the range');
  }
  if (end - start > MAX_QUERY_RANGE_MS) {
    const days = MAX_QUERY_RANGE_MS / 86_400_000;
    throw invalid(
      'start',
      `the range from start to end exceeds the maximum of ${days} days; ` +
        'move start closer to end',
    );
  }
  const buckets = bucketCount(start, end, interval);
  if (buckets > MAX_QUERY_BUCKETS) {
    const minimumSeconds = Math.ceil((end - start) / MAX_QUERY_BUCKETS / 1_000);
    throw invalid(
      'interval',
      `spans ${buckets} buckets between start and end, above the limit of ` +
        `${MAX_QUERY_BUCKETS}; use an interval of at least ` +
        `${minimumSeconds}s or a shorter range`,
    );
  }
}

/**
 * Resolves a parsed request into a store query: the range defaults to the
 * hour before `nowMs`, `labels` become equality matchers after the
 * explicit ones, and the range (at most 31 days), bucket count and regexes
 * are checked.
 */
export function toMetricQuery(
  input: MetricQueryInput,
  nowMs: number,
): MetricQuery {
  const end = input.end ?? nowMs;
  const start = input.start ?? end - DEFAULT_RANGE_MS;
  checkRange(start, end, input.interval);

  const equalities = Object.entries(input.labels ?? {}).map(
    ([label, value]): LabelMatcher => ({ label, op: '=', value }),
  );
  const matchers = [...input.matchers, ...equalities];
  if (matchers.length > MAX_MATCHERS) {
    throw invalid(
      'labels',
      `adds up with matchers to ${matchers.length} conditions, above the ` +
        `limit of ${MAX_MATCHERS}; drop some`,
    );
  }
  checkRegexes(matchers);

  return {
    service: input.service,
    metric_name: input.metric_name,
    matchers,
    start_ms: start,
    end_ms: end,
    interval_ms: input.interval,
    aggregation: input.aggregation,
    ...(input.group_by === undefined ? {} : { group_by: input.group_by }),
  };
}

/** Raises a 400 when the series hold more than {@link MAX_QUERY_POINTS}. */
export function checkResultSize(series: Series[]): void {
  const points = series.reduce((sum, entry) => sum + entry.points.length, 0);
  if (points <= MAX_QUERY_POINTS) return;
  const message =
    `query selects ${points} points in ${series.length} series, above ` +
    `the limit of ${MAX_QUERY_POINTS}; add matchers, shorten the range or ` +
    'widen the interval';
  throw new ValidationError(message, [{ path: 'matchers', message }]);
}

/** Formats series for the API, with ISO 8601 bucket times. */
export function seriesResponse(series: Series[]) {
  return series.map((entry) => ({
    labels: entry.labels,
    points: entry.points.map((point) => ({
      timestamp: isoFromMs(point.timestamp_ms),
      value: point.value,
    })),
  }));
}
