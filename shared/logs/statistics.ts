import { z } from 'zod';
import { ValidationError } from '#shared/errors.js';
import { parseInput } from '#shared/http/request.js';
import { unknownParamError } from '#shared/http/zod-details.js';
import { intervalSchema } from '#shared/metrics/query.js';
import { LOG_LEVELS, type LogLevel } from '#shared/model/log.js';
import { isoFromMs, timestampSchema } from '#shared/model/time.js';
import type {
  LogCountQuery,
  LogLevelCount,
  LogStore,
} from '#shared/store/ports.js';
import { checkLogRange, type LogRange, resolveLogRange } from './range.js';
import { checkSearchFields, searchTextSchema } from './search.js';

/**
 * Maximum buckets in one statistics response: a day at one-minute
 * resolution. Each bucket carries a count for all seven levels.
 */
export const MAX_LOG_BUCKETS = 1_440;

/** The default interval keeps a range to about this many buckets. */
const TARGET_BUCKETS = 60;

const SECOND_MS = 1_000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** Intervals the default is picked from, shortest first. */
const DEFAULT_INTERVALS_MS = [
  SECOND_MS,
  5 * SECOND_MS,
  10 * SECOND_MS,
  15 * SECOND_MS,
  30 * SECOND_MS,
  MINUTE_MS,
  2 * MINUTE_MS,
  5 * MINUTE_MS,
  10 * MINUTE_MS,
  15 * MINUTE_MS,
  30 * MINUTE_MS,
  HOUR_MS,
  2 * HOUR_MS,
  3 * HOUR_MS,
  6 * HOUR_MS,
  12 * HOUR_MS,
  DAY_MS,
];

/** Every level a count can have, UNSPECIFIED last. */
export const COUNTED_LEVELS: readonly LogLevel[] = [
  ...LOG_LEVELS,
  'UNSPECIFIED',
];

export type LevelCounts = Record<LogLevel, number>;

/** One time bucket of the statistics response. */
export interface StatisticsBucket {
  /** Start of the bucket, ISO 8601 in UTC. */
  timestamp: string;
  total: number;
  counts: LevelCounts;
}

/** The body of `GET /logs/statistics/{service_id}`. */
export interface LogStatistics {
  service: string;
  start: string;
  end: string;
  interval_seconds: number;
  total: number;
  counts: LevelCounts;
  buckets: StatisticsBucket[];
}

const statisticsShape = {
  start: timestampSchema.optional(),
  end: timestampSchema.optional(),
  interval: intervalSchema.optional(),
  query: searchTextSchema.optional(),
};

const statisticsParams = z
  .strictObject(statisticsShape, {
    error: unknownParamError(Object.keys(statisticsShape)),
  })
  .superRefine(checkSearchFields);

/** Number of interval buckets that the inclusive range touches. */
export function bucketCountOf(range: LogRange, intervalMs: number): number {
  const first = Math.floor(range.start_ms / intervalMs);
  const last = Math.floor(range.end_ms / intervalMs);
  return last - first + 1;
}

/**
 * Picks the shortest interval from {@link DEFAULT_INTERVALS_MS} that cuts
 * the range into at most 60 interval lengths. Alignment can add one
 * partial bucket, so the range touches at most 61 buckets.
 */
export function defaultLogInterval(range: LogRange): number {
  const span = range.end_ms - range.start_ms;
  const fits = DEFAULT_INTERVALS_MS.find(
    (interval) => span / interval <= TARGET_BUCKETS,
  );
  // Only a range above 60 days misses every candidate, and the cap is 31.
  return fits ?? DAY_MS;
}

/** Raises a 400 naming `interval` above {@link MAX_LOG_BUCKETS}. */
function checkBucketCount(range: LogRange, intervalMs: number): void {
  const buckets = bucketCountOf(range, intervalMs);
  if (buckets <= MAX_LOG_BUCKETS) return;

  // Any interval of at least span / (limit - 1) touches at most the limit.
  const span = range.end_ms - range.start_ms;
  const seconds = Math.ceil(span / (MAX_LOG_BUCKETS - 1) / SECOND_MS);
  const message =
    `interval of ${intervalMs / SECOND_MS}s gives ${buckets} buckets from ` +
    `start to end, above the limit of ${MAX_LOG_BUCKETS}; use an interval ` +
    `of at least ${seconds}s or a shorter range`;
  throw new ValidationError(`invalid query: interval: ${message}`, [
    { path: 'interval', message },
  ]);
}

function zeroCounts(): LevelCounts {
  const counts = {} as LevelCounts;
  for (const level of COUNTED_LEVELS) counts[level] = 0;
  return counts;
}

/**
 * Spreads sparse store counts over every bucket of the range, so buckets
 * without records appear with zero counts. Raises when the store returns
 * a bucket the range does not contain, since that count would be lost.
 */
export function fillBuckets(
  range: LogRange,
  intervalMs: number,
  counts: LogLevelCount[],
): StatisticsBucket[] {
  const first = Math.floor(range.start_ms / intervalMs) * intervalMs;
  const byStart = new Map<number, StatisticsBucket>();
  const length = bucketCountOf(range, intervalMs);
  for (let index = 0; index < length; index += 1) {
    const start = first + index * intervalMs;
    const counts = zeroCounts();
    byStart.set(start, { timestamp: isoFromMs(start), total: 0, counts });
  }

  for (const { bucket_ms, level, count } of counts) {
    const bucket = byStart.get(bucket_ms);
    if (!bucket) {
      throw new Error(
        `log store returned a count for bucket ${isoFromMs(bucket_ms)}, ` +
          `outside the ${intervalMs} ms buckets of the range`,
      );
    }
    bucket.counts[level] += count;
    bucket.total += count;
  }
  return [...byStart.values()];
}

function sumCounts(buckets: StatisticsBucket[]): LevelCounts {
  const counts = zeroCounts();
  for (const bucket of buckets) {
    for (const level of COUNTED_LEVELS) counts[level] += bucket.counts[level];
  }
  return counts;
}

/**
 * Reads the query string of `GET /logs/statistics/{service_id}`, counts
 * the service's logs per level over the range and over interval buckets,
 * and returns every level and every bucket, zeros included.
 */
export async function readLogStatistics(
  store: LogStore,
  service: string,
  params: Record<string, string>,
  nowMs: number,
): Promise<LogStatistics> {
  const input = parseInput(statisticsParams, params, 'query');
  const range = resolveLogRange(input, nowMs);
  checkLogRange(range);
  const intervalMs = input.interval ?? defaultLogInterval(range);
  checkBucketCount(range, intervalMs);

  const query: LogCountQuery = { ...range, service, interval_ms: intervalMs };
  if (input.query !== undefined) query.text = input.query;
  const buckets = fillBuckets(
    range,
    intervalMs,
    await store.levelCounts(query),
  );
  const counts = sumCounts(buckets);

  return {
    service,
    start: isoFromMs(range.start_ms),
    end: isoFromMs(range.end_ms),
    interval_seconds: intervalMs / SECOND_MS,
    total: buckets.reduce((sum, bucket) => sum + bucket.total, 0),
    counts,
    buckets,
  };
}
