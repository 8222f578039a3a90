import type { MetricPoint } from '../model/metric.js';
import type { Rejection } from '../model/report.js';
import { measurementKey, valueFingerprint } from './identity.js';

/** A point with its index in the request it came from. */
export interface IndexedPoint {
  index: number;
  point: MetricPoint;
}

/** A batch after conflict resolution. */
export interface ResolvedBatch {
  /** Points to send to the store, first occurrence of each measurement. */
  unique: IndexedPoint[];
  /** Exact repeats of an earlier point in the batch: accepted, not stored. */
  repeats: number;
  /** Later points that measured something else for the same key. */
  rejected: Rejection[];
}

/** Formats the value part of a point for a rejection reason. */
export function describeValue(point: MetricPoint): string {
  if (point.value !== null) return `value ${point.value}`;
  const count =
    point.histogram?.count ??
    point.exponential_histogram?.count ??
    point.summary?.count;
  return `a ${point.type} with count ${count ?? 'unknown'}`;
}

/**
 * Resolves conflicts inside one batch. The rule: a measurement is a
 * series (service, name, sorted labels, start time) at one timestamp, and
 * the first point for it in request order wins. A later point with the
 * same value is an idempotent repeat and counts as accepted. A later point
 * with a different value is rejected with a reason naming the kept value.
 */
export function resolveBatchConflicts(points: IndexedPoint[]): ResolvedBatch {
  const firstByKey = new Map<string, IndexedPoint>();
  const unique: IndexedPoint[] = [];
  const rejected: Rejection[] = [];
  let repeats = 0;

  for (const item of points) {
    const key = measurementKey(item.point);
    const first = firstByKey.get(key);
    if (!first) {
      firstByKey.set(key, item);
      unique.push(item);
    } else if (valueFingerprint(first.point) === valueFingerprint(item.point)) {
      repeats++;
    } else {
      rejected.push({ index: item.index, reason: conflictReason(first) });
    }
  }
  return { unique, repeats, rejected };
}

function conflictReason(first: IndexedPoint): string {
  return (
    `timestamp: conflicts with point ${first.index} of this batch, which ` +
    `has the same series and timestamp and ${describeValue(first.point)}; ` +
    'the first point is kept, so send a different timestamp or labels'
  );
}
