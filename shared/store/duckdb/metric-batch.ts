import { canonicalLabels, valueFingerprint } from '../../metrics/identity.js';
import type { MetricPoint } from '../../model/metric.js';
import type { Rejection } from '../../model/report.js';

/** The first point of a measurement in a batch, with its derived keys. */
export interface StagedPoint {
  /** Position of the point in the batch. */
  index: number;
  point: MetricPoint;
  /** Text of the `labels_key` column, from {@link canonicalLabels}. */
  labelsKey: string;
  /** Text of the `value_key` column, from {@link valueFingerprint}. */
  valueKey: string;
}

/** A batch grouped by measurement before it meets the stored points. */
export interface ScreenedBatch {
  /** First arrival of each measurement, in batch order. */
  firsts: StagedPoint[];
  /** Later points equal to the first arrival of their measurement. */
  duplicates: number;
  /** Later points that differ from the first arrival. */
  rejected: Rejection[];
}

function batchConflict(firstIndex: number): string {
  return (
    `timestamp: conflicts with point ${firstIndex} of this batch, ` +
    'which has the same series and timestamp and a different value; the ' +
    'first point is kept, so send a different timestamp or labels'
  );
}

/**
 * Groups the points of a batch by measurement (service, name, labels,
 * start time and timestamp). The first point of each measurement goes on
 * to meet the stored points. A later point with the same value fingerprint
 * is a duplicate, and one with a different fingerprint is rejected.
 */
export function screenBatch(points: readonly MetricPoint[]): ScreenedBatch {
  const screened: ScreenedBatch = { firsts: [], duplicates: 0, rejected: [] };
  const firstByKey = new Map<string, StagedPoint>();
  for (const [index, point] of points.entries()) {
    const labelsKey = canonicalLabels(point.labels);
    const valueKey = valueFingerprint(point);
    const key = JSON.stringify([
      point.service,
      point.name,
      labelsKey,
      point.start_timestamp_ms,
      point.timestamp_ms,
    ]);
    const first = firstByKey.get(key);
    if (first === undefined) {
      const staged = { index, point, labelsKey, valueKey };
      firstByKey.set(key, staged);
      screened.firsts.push(staged);
    } else if (first.valueKey === valueKey) {
      screened.duplicates++;
    } else {
      screened.rejected.push({ index, reason: batchConflict(first.index) });
    }
  }
  return screened;
}
