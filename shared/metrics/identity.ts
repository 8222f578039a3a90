import type { MetricPoint } from '../model/metric.js';

/**
 * Canonical text of a label set: a JSON array of `[key, value]` pairs
 * sorted by key, so the same labels in any order give the same text.
 */
export function canonicalLabels(labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  return JSON.stringify(keys.map((key) => [key, labels[key]]));
}

/** Parses {@link canonicalLabels} text back into a label map. */
export function labelsFromCanonical(text: string): Record<string, string> {
  const pairs = JSON.parse(text) as [string, string][];
  return Object.fromEntries(pairs);
}

/**
 * Identity of the point's series at its timestamp: service, name, sorted
 * labels, start time and timestamp. Two points with the same key describe
 * the same measurement, so only one of them can be stored.
 */
export function measurementKey(point: MetricPoint): string {
  return JSON.stringify([
    point.service,
    point.name,
    canonicalLabels(point.labels),
    point.start_timestamp_ms,
    point.timestamp_ms,
  ]);
}

/**
 * Text of everything a point measured (its type and value or
 * distribution), with fields in a fixed order. Equal fingerprints at the
 * same {@link measurementKey} mean a repeat, different ones a conflict.
 */
export function valueFingerprint(point: MetricPoint): string {
  const h = point.histogram;
  const e = point.exponential_histogram;
  const s = point.summary;
  return JSON.stringify([
    point.type,
    point.value,
    h && [h.bounds, h.counts, h.count, h.sum, h.min, h.max],
    e && [
      e.scale,
      e.zero_count,
      e.zero_threshold,
      [e.positive.offset, e.positive.counts],
      [e.negative.offset, e.negative.counts],
      e.count,
      e.sum,
      e.min,
      e.max,
    ],
    s && [s.count, s.sum, s.quantiles.map((q) => [q.quantile, q.value])],
  ]);
}

/**
 * Labels of an output series from its group key: the canonical label set
 * when `groupBy` is absent, else a JSON array of the `groupBy` labels'
 * values, of which the empty ones are left out.
 */
export function groupLabels(
  groupBy: readonly string[] | undefined,
  key: string,
): Record<string, string> {
  if (groupBy === undefined) return labelsFromCanonical(key);
  const values = JSON.parse(key) as string[];
  const labels: Record<string, string> = {};
  for (const [i, label] of groupBy.entries()) {
    const value = values[i];
    if (value) labels[label] = value;
  }
  return labels;
}
