/**
 * OpenTelemetry setup for the demo services, loaded with `--import` before
 * any application module so HTTP auto-instrumentation can patch `http`.
 * Exports traces, metrics and logs over OTLP/HTTP to
 * OTEL_EXPORTER_OTLP_ENDPOINT, as protobuf or JSON per DEMO_OTLP_PROTOCOL.
 */
import { register } from 'node:module';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

// ESM imports of `node:http` are only patched through import-in-the-middle's
// loader hooks, so they must be registered before the service is imported.
register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);

const json = process.env.DEMO_OTLP_PROTOCOL === 'json';
const exportIntervalMillis = Number(
  process.env.DEMO_EXPORT_INTERVAL_MS ?? 2_000,
);

const sdk = new NodeSDK({
  spanProcessors: [
    new BatchSpanProcessor(
      json ? new JsonTraceExporter() : new ProtoTraceExporter(),
      { scheduledDelayMillis: 500 },
    ),
  ],
  metricReaders: [
    new PeriodicExportingMetricReader({
      exporter: json ? new JsonMetricExporter() : new ProtoMetricExporter(),
      exportIntervalMillis,
    }),
  ],
  logRecordProcessors: [
    new BatchLogRecordProcessor({
      exporter: json ? new JsonLogExporter() : new ProtoLogExporter(),
      scheduledDelayMillis: 500,
    }),
  ],
  instrumentations: [new HttpInstrumentation()],
});

sdk.start();

async function shutdown(): Promise<void> {
  try {
    await sdk.shutdown();
  } finally {
    process.exit(0);
  }
}

process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());
