import { gzipSync } from 'node:zlib';
import { encodeProtobufRequest } from '#shared/otlp/protobuf.js';
import {
  base64Ids,
  hexIds,
  type IdEncoder,
  otlpLogs,
  otlpMetrics,
  otlpTraces,
} from './otlp.js';
import {
  type BatchSpec,
  type LogSample,
  logSamples,
  type MetricSample,
  metricSamples,
  type Signal,
  type SpanSample,
  spanSamples,
} from './samples.js';

/** Wire format of a batch: our JSON API or OTLP/HTTP in one of its forms. */
export type Format =
  | 'api-json'
  | 'otlp-json'
  | 'otlp-protobuf'
  | 'otlp-protobuf-gzip';

export const FORMATS: readonly Format[] = [
  'api-json',
  'otlp-json',
  'otlp-protobuf',
  'otlp-protobuf-gzip',
];

/** One HTTP request ready to send. */
export interface WireRequest {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Metric points, spans or log records in the body. */
  items: number;
}

const API_PATHS: Record<Signal, string> = {
  metrics: '/api/observatory/metrics/ingest/batch',
  traces: '/api/observatory/traces/spans/ingest',
  logs: '/api/observatory/logs/ingest/batch',
};

function apiPoint(sample: MetricSample) {
  const common = {
    service: sample.service,
    name: sample.name,
    labels: sample.labels,
    unit: sample.unit,
    timestamp: sample.timeMs,
  };
  const h = sample.histogram;
  if (h) {
    return {
      ...common,
      type: 'histogram',
      start_timestamp: sample.startMs,
      buckets: { bounds: h.bounds, counts: h.counts },
      count: h.count,
      sum: h.sum,
      min: h.min,
      max: h.max,
    };
  }
  if (sample.kind === 'counter') {
    return {
      ...common,
      type: 'counter',
      start_timestamp: sample.startMs,
      value: sample.value,
    };
  }
  return { ...common, type: 'gauge', value: sample.value };
}

function apiSpan(span: SpanSample) {
  return {
    trace_id: span.traceId,
    span_id: span.spanId,
    parent_span_id: span.parentId,
    service: span.service,
    name: span.name,
    kind: span.kind,
    start_time_unix_nano: span.startNs.toString(),
    end_time_unix_nano: span.endNs.toString(),
    status: span.error
      ? { code: 'error', message: 'upstream failed' }
      : { code: 'unset' },
    attributes: span.attributes,
  };
}

function apiLog(log: LogSample) {
  return {
    service: log.service,
    time_unix_nano: log.timeNs.toString(),
    level: log.level,
    message: log.message,
    ...(log.traceId ? { trace_id: log.traceId, span_id: log.spanId } : {}),
    attributes: log.attributes,
  };
}

/** Generates the items of one batch. */
function samplesOf(signal: Signal, spec: BatchSpec) {
  if (signal === 'metrics') return metricSamples(spec);
  if (signal === 'traces') return spanSamples(spec);
  return logSamples(spec);
}

/** Builds the body of our JSON API for a batch, as an object. */
export function apiBody(signal: Signal, spec: BatchSpec): unknown {
  if (signal === 'metrics') {
    return { points: metricSamples(spec).map(apiPoint) };
  }
  if (signal === 'traces') return { spans: spanSamples(spec).map(apiSpan) };
  return { logs: logSamples(spec).map(apiLog) };
}

/** Builds the OTLP export request of a batch in its JSON shape. */
export function otlpBody(
  signal: Signal,
  spec: BatchSpec,
  ids: IdEncoder = hexIds,
): Record<string, unknown> {
  if (signal === 'metrics') return otlpMetrics(metricSamples(spec));
  if (signal === 'traces') return otlpTraces(spanSamples(spec), ids);
  return otlpLogs(logSamples(spec), ids);
}

/** Counts the items in a batch of `spec`, where traces come whole. */
export function itemCount(signal: Signal, spec: BatchSpec): number {
  return samplesOf(signal, spec).length;
}

const JSON_TYPE = { 'content-type': 'application/json' };
const PROTOBUF_TYPE = { 'content-type': 'application/x-protobuf' };

/** Builds the HTTP request that sends batch `spec` in `format`. */
export function wireRequest(
  signal: Signal,
  format: Format,
  spec: BatchSpec,
): WireRequest {
  const items = itemCount(signal, spec);
  if (format === 'api-json') {
    const body = Buffer.from(JSON.stringify(apiBody(signal, spec)));
    return { path: API_PATHS[signal], headers: JSON_TYPE, body, items };
  }
  const path = `/v1/${signal}`;
  if (format === 'otlp-json') {
    const body = Buffer.from(JSON.stringify(otlpBody(signal, spec)));
    return { path, headers: JSON_TYPE, body, items };
  }
  const proto = encodeProtobufRequest(
    signal,
    otlpBody(signal, spec, base64Ids),
  );
  if (format === 'otlp-protobuf') {
    return { path, headers: PROTOBUF_TYPE, body: proto, items };
  }
  return {
    path,
    headers: { ...PROTOBUF_TYPE, 'content-encoding': 'gzip' },
    body: gzipSync(proto),
    items,
  };
}
