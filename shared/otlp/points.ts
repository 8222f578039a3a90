import type {
  ExponentialHistogramData,
  HistogramData,
  SummaryData,
} from '../model/metric.js';
import {
  FieldError,
  readArray,
  readCount,
  readDouble,
  readFiniteDouble,
  readInt32,
  readInt64,
  readObject,
  readOptionalDouble,
} from './fields.js';

type Point = Record<string, unknown>;

/**
 * Reads a NumberDataPoint's value: `asDouble` must be finite, and `asInt`
 * within +-(2^53 - 1), because metric values are stored as doubles.
 */
export function readNumberValue(point: Point, path: string): number {
  if (point.asDouble !== undefined && point.asDouble !== null) {
    const value = readDouble(point.asDouble, `${path}.asDouble`);
    if (!Number.isFinite(value)) {
      throw new FieldError(
        `${path}.asDouble`,
        `invalid value ${String(value)}: metric values must be finite numbers`,
      );
    }
    return value;
  }
  if (point.asInt !== undefined && point.asInt !== null) {
    const value = readInt64(point.asInt, `${path}.asInt`);
    if (
      value > BigInt(Number.MAX_SAFE_INTEGER) ||
      value < -BigInt(Number.MAX_SAFE_INTEGER)
    ) {
      throw new FieldError(
        `${path}.asInt`,
        `value ${value} exceeds 2^53 - 1 in magnitude, the largest integer ` +
          'a metric value keeps exactly',
      );
    }
    return Number(value);
  }
  throw new FieldError(path, 'missing value: expected asDouble or asInt');
}

function readBounds(value: unknown, path: string): number[] {
  const bounds = readArray(value, path).map((bound, i) =>
    readFiniteDouble(bound, `${path}[${i}]`),
  );
  for (let i = 1; i < bounds.length; i += 1) {
    if ((bounds[i] ?? 0) <= (bounds[i - 1] ?? 0)) {
      throw new FieldError(
        path,
        'invalid bounds: expected strictly increasing values',
      );
    }
  }
  return bounds;
}

function readCounts(value: unknown, path: string): number[] {
  return readArray(value, path).map((count, i) =>
    readCount(count, `${path}[${i}]`),
  );
}

/**
 * Reads an explicit-bucket HistogramDataPoint. A non-finite sum, min or
 * max is treated as absent. OTLP allows a point without buckets (no bounds
 * and no counts); it becomes one bucket that contains every value.
 */
export function readHistogram(point: Point, path: string): HistogramData {
  const bounds = readBounds(point.explicitBounds, `${path}.explicitBounds`);
  const counts = readCounts(point.bucketCounts, `${path}.bucketCounts`);
  const count = readCount(point.count, `${path}.count`);
  if (counts.length !== bounds.length + 1) {
    if (counts.length > 0 || bounds.length > 0) {
      throw new FieldError(
        `${path}.bucketCounts`,
        `invalid length ${counts.length}: expected one more than the ` +
          `${bounds.length} explicitBounds`,
      );
    }
    counts.push(count);
  }
  return {
    bounds,
    counts,
    count,
    sum: readOptionalDouble(point.sum, `${path}.sum`),
    min: readOptionalDouble(point.min, `${path}.min`),
    max: readOptionalDouble(point.max, `${path}.max`),
  };
}

function readBuckets(value: unknown, path: string) {
  const buckets = readObject(value, path);
  return {
    offset: readInt32(buckets.offset, `${path}.offset`),
    counts: readCounts(buckets.bucketCounts, `${path}.bucketCounts`),
  };
}

/** Reads an ExponentialHistogramDataPoint. */
export function readExponentialHistogram(
  point: Point,
  path: string,
): ExponentialHistogramData {
  return {
    scale: readInt32(point.scale, `${path}.scale`),
    zero_count: readCount(point.zeroCount, `${path}.zeroCount`),
    zero_threshold: readFiniteDouble(
      point.zeroThreshold,
      `${path}.zeroThreshold`,
    ),
    positive: readBuckets(point.positive, `${path}.positive`),
    negative: readBuckets(point.negative, `${path}.negative`),
    count: readCount(point.count, `${path}.count`),
    sum: readOptionalDouble(point.sum, `${path}.sum`),
    min: readOptionalDouble(point.min, `${path}.min`),
    max: readOptionalDouble(point.max, `${path}.max`),
  };
}

/**
 * Reads a summary's sum. Unlike a histogram's, it is not an optional
 * field, so absent means 0, and only a non-finite sum reads as absent.
 */
function readSummarySum(value: unknown, path: string): number | null {
  const sum = readDouble(value, path);
  return Number.isFinite(sum) ? sum : null;
}

/** Reads a SummaryDataPoint; every quantile and its value must be finite. */
export function readSummary(point: Point, path: string): SummaryData {
  const quantilesPath = `${path}.quantileValues`;
  const quantiles = readArray(point.quantileValues, quantilesPath).map(
    (item, i) => {
      const entry = readObject(item, `${quantilesPath}[${i}]`);
      return {
        quantile: readFiniteDouble(
          entry.quantile,
          `${quantilesPath}[${i}].quantile`,
        ),
        value: readFiniteDouble(entry.value, `${quantilesPath}[${i}].value`),
      };
    },
  );
  return {
    count: readCount(point.count, `${path}.count`),
    sum: readSummarySum(point.sum, `${path}.sum`),
    quantiles,
  };
}
