import type {
  _Record,
  Dimension,
  MeasureValue,
  MeasureValueType,
} from '@aws-sdk/client-timestream-write';
import { canonicalLabels } from '#shared/metrics/identity.js';
import type { MetricPoint } from '#shared/model/metric.js';

/** Dimensions other than labels. */
export const DIMENSION = {
  service: 'service',
  /** Start of a cumulative series, epoch ms as text. */
  start: 'start_ms',
} as const;

/**
 * Prefix of label dimensions, which keeps a label named `time`, `service`
 * or `measure_name` apart from the table's own columns.
 */
export const LABEL_PREFIX = 'label.';

/**
 * Measures of the multi-measure record of a point, by role, with their
 * column names. A measure whose value is null is left out of the record.
 */
export const MEASURE = {
  type: 'metric_type',
  unit: 'unit',
  temporality: 'temporality',
  monotonic: 'monotonic',
  value: 'value',
  count: 'count',
  sum: 'sum',
  min: 'min',
  max: 'max',
  bounds: 'bucket_bounds',
  counts: 'bucket_counts',
  expScale: 'exp_scale',
  expZeroCount: 'exp_zero_count',
  expZeroThreshold: 'exp_zero_threshold',
  expPositiveOffset: 'exp_positive_offset',
  expPositiveCounts: 'exp_positive_counts',
  expNegativeOffset: 'exp_negative_offset',
  expNegativeCounts: 'exp_negative_counts',
  quantiles: 'quantiles',
  deltaStart: 'delta_start_ms',
  writeId: 'write_id',
} as const;

type MeasureRole = keyof typeof MEASURE;
type ScalarType = Exclude<MeasureValueType, 'MULTI' | 'TIMESTAMP'>;

/** The Timestream type of each measure; lists are JSON text. */
export const MEASURE_TYPES: Record<MeasureRole, ScalarType> = {
  type: 'VARCHAR',
  unit: 'VARCHAR',
  temporality: 'VARCHAR',
  monotonic: 'BOOLEAN',
  value: 'DOUBLE',
  count: 'BIGINT',
  sum: 'DOUBLE',
  min: 'DOUBLE',
  max: 'DOUBLE',
  bounds: 'VARCHAR',
  counts: 'VARCHAR',
  expScale: 'BIGINT',
  expZeroCount: 'BIGINT',
  expZeroThreshold: 'DOUBLE',
  expPositiveOffset: 'BIGINT',
  expPositiveCounts: 'VARCHAR',
  expNegativeOffset: 'BIGINT',
  expNegativeCounts: 'VARCHAR',
  quantiles: 'VARCHAR',
  deltaStart: 'BIGINT',
  writeId: 'VARCHAR',
};

/**
 * Dimension name of a label. Timestream forbids `:` in dimension names,
 * so `%` and `:` are percent-encoded, which {@link labelOfDimension}
 * reverses.
 */
export function labelDimension(key: string): string {
  return (
    LABEL_PREFIX + key.replace(/[%:]/g, (c) => (c === '%' ? '%25' : '%3A'))
  );
}

/** The label key of a dimension column, or undefined for other columns. */
export function labelOfDimension(column: string): string | undefined {
  if (!column.startsWith(LABEL_PREFIX)) return undefined;
  return column
    .slice(LABEL_PREFIX.length)
    .replace(/%(25|3A)/g, (code) => (code === '%25' ? '%' : ':'));
}

/**
 * Whether the point's start time is part of its identity in Timestream.
 * A cumulative series restarts with a new start time (a counter reset), so
 * the start is a dimension there. For other points it is a measure, which
 * keeps a new delta interval from becoming a new series.
 */
export function startIsDimension(point: MetricPoint): boolean {
  return (
    point.temporality === 'cumulative' && point.start_timestamp_ms !== null
  );
}

/**
 * Identity of the record a point becomes: measure name, dimensions and
 * time. Timestream keeps one record per key, so a second point with the
 * same key is a repeat or a conflict. It differs from `measurementKey` in
 * two ways: labels with empty values are absent, and a non-cumulative
 * start time is not part of it.
 */
export function recordKey(point: MetricPoint): string {
  const labels = Object.fromEntries(
    Object.entries(point.labels).filter(([, value]) => value !== ''),
  );
  return JSON.stringify([
    point.service,
    point.name,
    canonicalLabels(labels),
    startIsDimension(point) ? point.start_timestamp_ms : null,
    point.timestamp_ms,
  ]);
}

/**
 * Dimensions of a point: service, series start where cumulative, and each
 * label. A Timestream dimension value cannot be empty, so a label whose
 * value is the empty string is left out; queries compare a missing label
 * as the empty string, so matchers select the same series.
 */
export function pointDimensions(point: MetricPoint): Dimension[] {
  const dimensions: Dimension[] = [
    { Name: DIMENSION.service, Value: point.service },
  ];
  if (startIsDimension(point)) {
    dimensions.push({
      Name: DIMENSION.start,
      Value: String(point.start_timestamp_ms),
    });
  }
  for (const key of Object.keys(point.labels).sort()) {
    const value = point.labels[key] as string;
    if (value !== '')
      dimensions.push({ Name: labelDimension(key), Value: value });
  }
  return dimensions;
}

const json = (value: unknown) => JSON.stringify(value);

/** The value of each measure of a point; null where the point has none. */
function measureValues(
  point: MetricPoint,
  writeId: string,
): Record<MeasureRole, string | number | boolean | null> {
  const h = point.histogram;
  const e = point.exponential_histogram;
  const s = point.summary;
  const dist = h ?? e ?? s;
  const bucketed = h ?? e;
  return {
    type: point.type,
    unit: point.unit === '' ? null : point.unit,
    temporality: point.temporality,
    monotonic: point.monotonic,
    value: point.value,
    count: dist?.count ?? null,
    sum: dist?.sum ?? null,
    min: bucketed?.min ?? null,
    max: bucketed?.max ?? null,
    bounds: h ? json(h.bounds) : null,
    counts: h ? json(h.counts) : null,
    expScale: e?.scale ?? null,
    expZeroCount: e?.zero_count ?? null,
    expZeroThreshold: e?.zero_threshold ?? null,
    expPositiveOffset: e?.positive.offset ?? null,
    expPositiveCounts: e ? json(e.positive.counts) : null,
    expNegativeOffset: e?.negative.offset ?? null,
    expNegativeCounts: e ? json(e.negative.counts) : null,
    quantiles: s ? json(s.quantiles.map((q) => [q.quantile, q.value])) : null,
    deltaStart: startIsDimension(point) ? null : point.start_timestamp_ms,
    writeId,
  };
}

/**
 * Builds the multi-measure record of a point, named after the metric.
 * `writeId` is the same for every record of one WriteRecords call: a
 * repeat of a stored point then differs from it in that measure, so
 * Timestream rejects it with `ExistingVersion` instead of accepting it
 * silently, and the adapter can count it as a duplicate without reading
 * before every write.
 */
export function buildRecord(point: MetricPoint, writeId: string): _Record {
  const values = measureValues(point, writeId);
  const measures: MeasureValue[] = [];
  for (const role of Object.keys(MEASURE) as MeasureRole[]) {
    const value = values[role];
    if (value === null) continue;
    measures.push({
      Name: MEASURE[role],
      Value: String(value),
      Type: MEASURE_TYPES[role],
    });
  }
  return {
    Dimensions: pointDimensions(point),
    MeasureName: point.name,
    MeasureValueType: 'MULTI',
    MeasureValues: measures,
    Time: String(point.timestamp_ms),
    TimeUnit: 'MILLISECONDS',
  };
}

const utf8 = (text: string | undefined) =>
  Buffer.byteLength(text ?? '', 'utf8');

/** Bytes of one measure value by its type, as Timestream meters them. */
export function measureValueSize(type: string | undefined, value: string) {
  if (type === 'BOOLEAN') return 1;
  if (type === 'DOUBLE' || type === 'BIGINT' || type === 'TIMESTAMP') return 8;
  return utf8(value);
}

/**
 * Size of a record as the Timestream metering guide defines a write:
 * 8 bytes of timestamp, the UTF-8 bytes of each dimension name and value
 * and of the measure name, and each measure's name plus its value (8
 * bytes for DOUBLE and BIGINT, 1 for BOOLEAN, UTF-8 bytes for VARCHAR).
 *
 * NOTE: the quotas page gives the 2 KB record limit without saying how
 * it is counted, so this metering rule is an estimate of it. A record
 * that Timestream still finds too large is rejected by index and
 * reported with Timestream's reason.
 */
export function recordSize(record: _Record): number {
  let size = 8 + utf8(record.MeasureName);
  for (const dimension of record.Dimensions ?? []) {
    size += utf8(dimension.Name) + utf8(dimension.Value);
  }
  for (const measure of record.MeasureValues ?? []) {
    size +=
      utf8(measure.Name) + measureValueSize(measure.Type, measure.Value ?? '');
  }
  if (record.MeasureValue !== undefined) {
    size += measureValueSize(record.MeasureValueType, record.MeasureValue);
  }
  return size;
}
