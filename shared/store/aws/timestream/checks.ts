import type { _Record } from '@aws-sdk/client-timestream-write';
import type { MetricPoint } from '#shared/model/metric.js';
import {
  MAX_DIMENSION_NAME_BYTES,
  MAX_DIMENSIONS,
  MAX_FUTURE_MS,
  MAX_MEASURE_NAME_BYTES,
  MAX_RECORD_BYTES,
} from './limits.js';
import { labelDimension, recordSize } from './records.js';

/** Which timestamps the table accepts, as the adapter is configured. */
export interface WriteWindow {
  nowMs: number;
  memoryRetentionHours: number;
  magneticWrites: boolean;
}

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** Every number a point carries, by field, for the finite check. */
function numbersOf(point: MetricPoint): [string, number | null][] {
  const h = point.histogram;
  const e = point.exponential_histogram;
  const s = point.summary;
  return [
    ['value', point.value],
    ...(h
      ? ([
          ['histogram.sum', h.sum],
          ['histogram.min', h.min],
          ['histogram.max', h.max],
          ...h.bounds.map((b, i) => [`histogram.bounds[${i}]`, b]),
        ] as [string, number | null][])
      : []),
    ...(e
      ? ([
          ['exponential_histogram.sum', e.sum],
          ['exponential_histogram.min', e.min],
          ['exponential_histogram.max', e.max],
          ['exponential_histogram.zero_threshold', e.zero_threshold],
        ] as [string, number | null][])
      : []),
    ...(s
      ? ([
          ['summary.sum', s.sum],
          ...s.quantiles.map((q, i) => [
            `summary.quantiles[${i}].value`,
            q.value,
          ]),
        ] as [string, number | null][])
      : []),
  ];
}

function nonFiniteProblem(point: MetricPoint): string | undefined {
  for (const [field, value] of numbersOf(point)) {
    if (value !== null && !Number.isFinite(value)) {
      return (
        `${field}: is ${value}, and Timestream stores only finite ` +
        'numbers; send a real number or leave the field out'
      );
    }
  }
  return undefined;
}

function windowProblem(point: MetricPoint, window: WriteWindow) {
  const oldest = window.nowMs - window.memoryRetentionHours * 3_600_000;
  if (!window.magneticWrites && point.timestamp_ms < oldest) {
    return (
      'timestamp: is older than the Timestream memory store retention of ' +
      `${window.memoryRetentionHours} hours ` +
      '(OBSERVATORY_TIMESTREAM_MEMORY_RETENTION_HOURS), and magnetic ' +
      'store writes are off; send newer points, or enable magnetic store ' +
      'writes on the table and set OBSERVATORY_TIMESTREAM_MAGNETIC_WRITES'
    );
  }
  if (point.timestamp_ms > window.nowMs + MAX_FUTURE_MS) {
    return (
      'timestamp: is more than 15 minutes ahead of the current time, ' +
      'which Timestream rejects; correct the sender clock'
    );
  }
  return undefined;
}

function nameProblem(point: MetricPoint): string | undefined {
  const size = bytes(point.name);
  if (size > MAX_MEASURE_NAME_BYTES) {
    return (
      `name: is ${size} bytes, above the Timestream measure name limit ` +
      `of ${MAX_MEASURE_NAME_BYTES} bytes; use a shorter metric name`
    );
  }
  for (const key of Object.keys(point.labels)) {
    const dimension = labelDimension(key);
    const length = bytes(dimension);
    if (length > MAX_DIMENSION_NAME_BYTES) {
      return (
        `labels: the key ${JSON.stringify(key)} becomes the dimension ` +
        `name ${JSON.stringify(dimension)} of ${length} bytes, above the ` +
        `Timestream limit of ${MAX_DIMENSION_NAME_BYTES} bytes; use a ` +
        'shorter label key'
      );
    }
  }
  return undefined;
}

/**
 * Finds why a point cannot be sent to Timestream, before any call: a
 * non-finite number, a timestamp outside what the table accepts, or a
 * name above a Timestream limit. Returns a rejection reason, or
 * undefined when the point may be sent.
 */
export function pointProblem(
  point: MetricPoint,
  window: WriteWindow,
): string | undefined {
  return (
    nonFiniteProblem(point) ??
    windowProblem(point, window) ??
    nameProblem(point)
  );
}

/** Finds why a built record exceeds a Timestream record limit. */
export function recordProblem(record: _Record): string | undefined {
  const dimensions = record.Dimensions?.length ?? 0;
  if (dimensions > MAX_DIMENSIONS) {
    return (
      `labels: the point needs ${dimensions} Timestream dimensions, ` +
      `above the limit of ${MAX_DIMENSIONS}; send fewer labels`
    );
  }
  const size = recordSize(record);
  if (size > MAX_RECORD_BYTES) {
    return (
      `record: is ${size} bytes as a Timestream record, above the limit ` +
      `of ${MAX_RECORD_BYTES} bytes (2 KB); send fewer labels, shorter ` +
      'label values or fewer buckets'
    );
  }
  return undefined;
}
