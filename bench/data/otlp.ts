import type { LogSample, MetricSample, SpanSample } from './samples.js';

/** OTLP JSON objects, loosely typed: the benchmark only builds them. */
type Json = Record<string, unknown>;

/** Turns hex ids into base64, the spelling protobufjs takes for bytes. */
export type IdEncoder = (hex: string) => string;

export const hexIds: IdEncoder = (hex) => hex;
export const base64Ids: IdEncoder = (hex) =>
  Buffer.from(hex, 'hex').toString('base64');

function attributesOf(values: Record<string, string | number>) {
  return Object.entries(values).map(([key, value]) => ({
    key,
    value:
      typeof value === 'number'
        ? { intValue: String(value) }
        : { stringValue: value },
  }));
}

/** Groups items by service, keeping first-seen order. */
function byService<T extends { service: string }>(items: T[]) {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(item.service) ?? [];
    group.push(item);
    groups.set(item.service, group);
  }
  return groups;
}

function resourceOf(service: string) {
  return {
    attributes: attributesOf({
      'service.name': service,
      'service.version': '1.4.2',
      'deployment.environment': 'production',
    }),
  };
}

const SCOPE = { name: 'observatory-bench', version: '1.0.0' };

function metricDataPoint(sample: MetricSample): Json {
  const point: Json = {
    attributes: attributesOf(sample.labels),
    timeUnixNano: `${sample.timeMs}000000`,
  };
  if (sample.kind !== 'gauge') {
    point.startTimeUnixNano = `${sample.startMs}000000`;
  }
  const h = sample.histogram;
  if (!h) return { ...point, asDouble: sample.value };
  return {
    ...point,
    count: String(h.count),
    sum: h.sum,
    bucketCounts: h.counts.map(String),
    explicitBounds: h.bounds,
    min: h.min,
    max: h.max,
  };
}

function metricOf(first: MetricSample, points: Json[]): Json {
  const metric: Json = { name: first.name, unit: first.unit };
  if (first.kind === 'gauge') metric.gauge = { dataPoints: points };
  if (first.kind === 'counter') {
    metric.sum = {
      dataPoints: points,
      aggregationTemporality: 2,
      isMonotonic: true,
    };
  }
  if (first.kind === 'histogram') {
    metric.histogram = { dataPoints: points, aggregationTemporality: 2 };
  }
  return metric;
}

/** Builds an ExportMetricsServiceRequest with one resource per service. */
export function otlpMetrics(samples: MetricSample[]): Json {
  const resourceMetrics = [...byService(samples)].map(([service, items]) => {
    const metrics = new Map<string, MetricSample[]>();
    for (const item of items) {
      metrics.set(item.name, [...(metrics.get(item.name) ?? []), item]);
    }
    return {
      resource: resourceOf(service),
      scopeMetrics: [
        {
          scope: SCOPE,
          metrics: [...metrics.values()].map((group) =>
            metricOf(group[0] as MetricSample, group.map(metricDataPoint)),
          ),
        },
      ],
    };
  });
  return { resourceMetrics };
}

const SPAN_KIND = { internal: 1, server: 2, client: 3 } as const;

function otlpSpan(span: SpanSample, ids: IdEncoder): Json {
  const json: Json = {
    traceId: ids(span.traceId),
    spanId: ids(span.spanId),
    name: span.name,
    kind: SPAN_KIND[span.kind],
    startTimeUnixNano: span.startNs.toString(),
    endTimeUnixNano: span.endNs.toString(),
    attributes: attributesOf(span.attributes),
    status: span.error ? { code: 2, message: 'upstream failed' } : {},
  };
  if (span.parentId) json.parentSpanId = ids(span.parentId);
  return json;
}

/** Builds an ExportTraceServiceRequest with one resource per service. */
export function otlpTraces(spans: SpanSample[], ids: IdEncoder): Json {
  const resourceSpans = [...byService(spans)].map(([service, items]) => ({
    resource: resourceOf(service),
    scopeSpans: [
      { scope: SCOPE, spans: items.map((span) => otlpSpan(span, ids)) },
    ],
  }));
  return { resourceSpans };
}

function otlpLog(log: LogSample, ids: IdEncoder): Json {
  const json: Json = {
    timeUnixNano: log.timeNs.toString(),
    severityNumber: log.severityNumber,
    severityText: log.level,
    body: { stringValue: log.message },
    attributes: attributesOf(log.attributes),
  };
  if (log.traceId) json.traceId = ids(log.traceId);
  if (log.spanId) json.spanId = ids(log.spanId);
  return json;
}

/** Builds an ExportLogsServiceRequest with one resource per service. */
export function otlpLogs(logs: LogSample[], ids: IdEncoder): Json {
  const resourceLogs = [...byService(logs)].map(([service, items]) => ({
    resource: resourceOf(service),
    scopeLogs: [
      { scope: SCOPE, logRecords: items.map((log) => otlpLog(log, ids)) },
    ],
  }));
  return { resourceLogs };
}
