import { textFromAnyValue } from '../model/attributes.js';
import type { MetricPoint } from '../model/metric.js';
import { readAttributes } from './any-value.js';
import {
  emptyBatch,
  type MappedBatch,
  type ScopeContext,
  type ScopedItem,
  scopedItems,
} from './batch.js';
import {
  FieldError,
  msFromNanos,
  readArray,
  readBool,
  readEnum,
  readObject,
  readString,
  readUint32,
  readUint64,
} from './fields.js';
import {
  readExponentialHistogram,
  readHistogram,
  readNumberValue,
  readSummary,
} from './points.js';

const LAYOUT = {
  resourceKey: 'resourceMetrics',
  scopeKey: 'scopeMetrics',
  itemKey: 'metrics',
};

const DATA_KINDS = [
  'gauge',
  'sum',
  'histogram',
  'exponentialHistogram',
  'summary',
] as const;
type DataKind = (typeof DATA_KINDS)[number];

const TEMPORALITIES = ['unspecified', 'delta', 'cumulative'] as const;

/** DataPointFlags.FLAG_NO_RECORDED_VALUE: the point marks a gap. */
const NO_RECORDED_VALUE = 1;

/** The metric fields every point of it shares. */
interface MetricFrame {
  name: string;
  unit: string;
  kind: DataKind;
  data: Record<string, unknown>;
  context: ScopeContext;
}

type PointFields = Pick<
  MetricPoint,
  | 'type'
  | 'temporality'
  | 'monotonic'
  | 'value'
  | 'histogram'
  | 'exponential_histogram'
  | 'summary'
>;

function readTemporality(data: Record<string, unknown>, path: string) {
  const field = `${path}.aggregationTemporality`;
  const temporality = readEnum(
    TEMPORALITIES,
    data.aggregationTemporality,
    field,
  );
  if (temporality === 'unspecified') {
    throw new FieldError(
      field,
      'missing: expected 1 (delta) or 2 (cumulative); 0 is not allowed',
    );
  }
  return temporality;
}

const EMPTY_FIELDS: PointFields = {
  type: 'gauge',
  temporality: null,
  monotonic: null,
  value: null,
  histogram: null,
  exponential_histogram: null,
  summary: null,
};

/**
 * Reads the type-specific fields of a point. A monotonic sum is a counter;
 * a non-monotonic sum is a gauge that keeps its temporality. Exponential
 * histograms are histograms that carry `exponential_histogram`.
 */
function readPointFields(
  frame: MetricFrame,
  point: Record<string, unknown>,
  path: string,
  metricPath: string,
): PointFields {
  const dataPath = `${metricPath}.${frame.kind}`;
  switch (frame.kind) {
    case 'gauge':
      return { ...EMPTY_FIELDS, value: readNumberValue(point, path) };
    case 'sum': {
      const monotonic = readBool(
        frame.data.isMonotonic,
        `${dataPath}.isMonotonic`,
      );
      return {
        ...EMPTY_FIELDS,
        type: monotonic ? 'counter' : 'gauge',
        temporality: readTemporality(frame.data, dataPath),
        monotonic,
        value: readNumberValue(point, path),
      };
    }
    case 'histogram':
      return {
        ...EMPTY_FIELDS,
        type: 'histogram',
        temporality: readTemporality(frame.data, dataPath),
        histogram: readHistogram(point, path),
      };
    case 'exponentialHistogram':
      return {
        ...EMPTY_FIELDS,
        type: 'histogram',
        temporality: readTemporality(frame.data, dataPath),
        exponential_histogram: readExponentialHistogram(point, path),
      };
    case 'summary':
      return {
        ...EMPTY_FIELDS,
        type: 'summary',
        summary: readSummary(point, path),
      };
  }
}

function readPointTimes(point: Record<string, unknown>, path: string) {
  const time = readUint64(point.timeUnixNano, `${path}.timeUnixNano`);
  if (time === 0n) {
    throw new FieldError(
      `${path}.timeUnixNano`,
      'missing: every point needs a time',
    );
  }
  const start = readUint64(
    point.startTimeUnixNano,
    `${path}.startTimeUnixNano`,
  );
  return {
    timestamp_ms: msFromNanos(time),
    start_timestamp_ms: start === 0n ? null : msFromNanos(start),
  };
}

/**
 * Maps one data point. Its attributes are kept with their types and their
 * text becomes the series labels. Exemplars are ignored: the metric model
 * stores no exemplars.
 */
function mapPoint(
  frame: MetricFrame,
  value: unknown,
  path: string,
  metricPath: string,
): MetricPoint {
  const point = readObject(value, path);
  const flags = readUint32(point.flags, `${path}.flags`);
  if ((flags & NO_RECORDED_VALUE) !== 0) {
    throw new FieldError(
      `${path}.flags`,
      'the point is flagged as having no recorded value; nothing to store',
    );
  }
  const attributes = readAttributes(point.attributes, `${path}.attributes`);
  const labels: Record<string, string> = {};
  for (const [key, item] of Object.entries(attributes)) {
    labels[key] = textFromAnyValue(item);
  }
  return {
    service: frame.context.service,
    name: frame.name,
    unit: frame.unit,
    labels,
    ...readPointTimes(point, path),
    ...readPointFields(frame, point, path, metricPath),
    attributes,
    resource: frame.context.resource,
    scope: frame.context.scope,
  };
}

function dataKindOf(metric: Record<string, unknown>): DataKind | undefined {
  return DATA_KINDS.find(
    (kind) => metric[kind] !== undefined && metric[kind] !== null,
  );
}

/**
 * Reads the fields every point of a metric shares, or the reason all its
 * points are rejected.
 */
function readFrame(
  entry: ScopedItem,
  metric: Record<string, unknown>,
  kind: DataKind,
  data: Record<string, unknown>,
): MetricFrame | FieldError {
  if (entry.context instanceof FieldError) return entry.context;
  try {
    const name = readString(metric.name, `${entry.path}.name`);
    if (name === '') {
      throw new FieldError(
        `${entry.path}.name`,
        'missing: every metric needs a name',
      );
    }
    const unit = readString(metric.unit, `${entry.path}.unit`);
    return { name, unit, kind, data, context: entry.context };
  } catch (error) {
    if (error instanceof FieldError) return error;
    throw error;
  }
}

function mapMetric(entry: ScopedItem, batch: MappedBatch<MetricPoint>): void {
  const metric = readObject(entry.value, entry.path);
  const kind = dataKindOf(metric);
  // A metric with no data type has no points, so nothing is rejected.
  if (kind === undefined) return;

  const data = readObject(metric[kind], `${entry.path}.${kind}`);
  const pointsPath = `${entry.path}.${kind}.dataPoints`;
  const points = readArray(data.dataPoints, pointsPath);
  const frame = readFrame(entry, metric, kind, data);

  points.forEach((value, i) => {
    const path = `${pointsPath}[${i}]`;
    try {
      if (frame instanceof FieldError) throw frame;
      batch.items.push(mapPoint(frame, value, path, entry.path));
      batch.locations.push(path);
    } catch (error) {
      if (!(error instanceof FieldError)) throw error;
      batch.rejected.push({ location: path, reason: error.message });
    }
  });
}

/**
 * Maps an ExportMetricsServiceRequest in its JSON shape into metric
 * points, one per data point. A metric whose own fields cannot be read
 * has each of its points rejected; a malformed metric object is one
 * rejection.
 */
export function mapMetricsRequest(body: unknown): MappedBatch<MetricPoint> {
  const batch = emptyBatch<MetricPoint>();
  for (const entry of scopedItems(body, LAYOUT)) {
    try {
      mapMetric(entry, batch);
    } catch (error) {
      if (!(error instanceof FieldError)) throw error;
      batch.rejected.push({ location: entry.path, reason: error.message });
    }
  }
  return batch;
}
