import {
  context,
  type DiagLogger,
  DiagLogLevel,
  diag,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import {
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MetricPoint } from '#shared/model/metric.js';
import {
  AUTH,
  startTestServer,
  type TestServer,
} from '#test/support/server.js';

/**
 * The real OpenTelemetry JS exporters against the local server. Their
 * protobuf encoder is the SDK's own, so these tests check our schema's
 * field numbers against an independent implementation, and the SDK's
 * parsing of our responses.
 */

/** The result an SDK exporter passes to its export callback. */
type ExportResult = { code: number; error?: Error };

let server: TestServer;
let written: MetricPoint[] = [];
const warnings: string[] = [];

const collectWarnings: DiagLogger = {
  error: (message, ...args) => warnings.push([message, ...args].join(' ')),
  warn: (message, ...args) => warnings.push([message, ...args].join(' ')),
  info: () => undefined,
  debug: () => undefined,
  verbose: () => undefined,
};

beforeAll(async () => {
  // The SDK stamps spans with the real time, so the server uses it too.
  server = await startTestServer();
  const store = server.stores.metrics;
  const write = store.write.bind(store);
  store.write = (points) => {
    written.push(...points);
    return write(points);
  };
  diag.setLogger(collectWarnings, DiagLogLevel.WARN);
});

afterAll(async () => {
  diag.disable();
  await server.close();
});

afterEach(() => {
  warnings.length = 0;
  written = [];
});

function recordSpans(service: string) {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('otlp-sdk-test');

  const current = tracer.startSpan('GET /orders', {
    kind: SpanKind.SERVER,
    attributes: { retries: 3, ratio: 0.5, cached: false, tags: ['a', 'b'] },
  });
  current.addEvent('retry', { attempt: 2 });
  current.setStatus({ code: SpanStatusCode.ERROR, message: 'timeout' });
  current.end();

  const monthAgo = Date.now() - 30 * 24 * 3_600_000;
  tracer.startSpan('stale', { startTime: monthAgo }).end(monthAgo + 5);
  return {
    spans: memory.getFinishedSpans(),
    traceId: current.spanContext().traceId,
  };
}

describe('OpenTelemetry trace exporters', () => {
  it.each([
    ['protobuf', ProtoTraceExporter],
    ['JSON', JsonTraceExporter],
  ])('stores spans sent by the %s exporter', async (_name, Exporter) => {
    const service = `sdk-${_name}`;
    const { spans, traceId } = recordSpans(service);
    const exporter = new Exporter({
      url: `${server.url}/v1/traces`,
      headers: AUTH,
    });

    const result = await new Promise<ExportResult>((resolve) =>
      exporter.export(spans, resolve),
    );
    const stored = await server.stores.traces.getTrace(traceId);

    expect(result.code).toBe(0);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      service,
      name: 'GET /orders',
      kind: 'server',
      status: { code: 'error', message: 'timeout' },
      attributes: {
        retries: { intValue: '3' },
        ratio: { doubleValue: 0.5 },
        cached: { boolValue: false },
        tags: {
          arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] },
        },
      },
    });
    expect(stored[0]?.events[0]?.attributes).toEqual({
      attempt: { intValue: '2' },
    });
    expect(stored[0]?.duration_nano).toBeGreaterThan(0n);
  });

  it.each([
    ['protobuf', ProtoTraceExporter],
    ['JSON', JsonTraceExporter],
  ])('reads our partial success (%s)', async (_name, Exporter) => {
    const { spans } = recordSpans(`sdk-partial-${_name}`);
    const exporter = new Exporter({
      url: `${server.url}/v1/traces`,
      headers: AUTH,
    });

    await new Promise<ExportResult>((resolve) =>
      exporter.export(spans, resolve),
    );
    const text = warnings.join('\n');

    expect(text).toContain('Received Partial Success response');
    expect(text).toMatch(/"rejectedSpans":"?1"?/);
    expect(text).not.toContain('could not deserialize');
  });
});

describe('OpenTelemetry log exporter', () => {
  it('stores records with severity, body and trace context', async () => {
    const service = 'sdk-logs';
    const memory = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': service }),
      processors: [new SimpleLogRecordProcessor({ exporter: memory })],
    });
    const spanContext = {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
    };
    provider.getLogger('otlp-sdk-test').emit({
      severityNumber: SeverityNumber.WARN,
      severityText: 'warning',
      body: 'disk almost full',
      attributes: { 'disk.free_bytes': 1024, 'source.address': '10.0.0.1' },
      context: trace.setSpanContext(context.active(), spanContext),
    });
    const exporter = new OTLPLogExporter({
      url: `${server.url}/v1/logs`,
      headers: AUTH,
    });

    const result = await new Promise<ExportResult>((resolve) =>
      exporter.export(memory.getFinishedLogRecords(), resolve),
    );
    const page = await server.stores.logs.search({
      service,
      start_ms: Date.now() - 60_000,
      end_ms: Date.now() + 60_000,
      limit: 10,
    });

    expect(result.code).toBe(0);
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({
      level: 'WARN',
      severity_number: 13,
      severity_text: 'warning',
      message: 'disk almost full',
      trace_id: spanContext.traceId,
      span_id: spanContext.spanId,
      attributes: {
        'disk.free_bytes': { intValue: '1024' },
        'source.address': { stringValue: '10.0.0.1' },
      },
    });
  });
});

describe('OpenTelemetry metric exporter', () => {
  it('stores counters and histograms with their buckets', async () => {
    const reader = new PeriodicExportingMetricReader({
      exporter: new OTLPMetricExporter({
        url: `${server.url}/v1/metrics`,
        headers: AUTH,
      }),
      exportIntervalMillis: 60_000,
    });
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': 'sdk-metrics' }),
      readers: [reader],
    });
    const meter = provider.getMeter('otlp-sdk-test');
    meter.createCounter('orders.placed').add(3, { region: 'eu' });
    const latency = meter.createHistogram('orders.latency', {
      advice: { explicitBucketBoundaries: [10, 100] },
    });
    for (const value of [5, 50, 500]) latency.record(value);

    await provider.forceFlush();
    const counter = written.find((p) => p.name === 'orders.placed');
    const histogram = written.find((p) => p.name === 'orders.latency');

    expect(counter).toMatchObject({
      service: 'sdk-metrics',
      type: 'counter',
      temporality: 'cumulative',
      monotonic: true,
      value: 3,
      labels: { region: 'eu' },
    });
    expect(counter?.start_timestamp_ms).not.toBeNull();
    expect(histogram?.histogram).toEqual({
      bounds: [10, 100],
      counts: [1, 1, 1],
      count: 3,
      sum: 555,
      min: 5,
      max: 500,
    });
    await provider.shutdown();
  });
});
