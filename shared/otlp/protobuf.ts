import protobuf from 'protobufjs';
import { OTLP_PROTO_SOURCES } from './schema.js';

/** The three OTLP signals, named as in their `/v1/...` paths. */
export type OtlpSignal = 'traces' | 'metrics' | 'logs';

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  for (const source of OTLP_PROTO_SOURCES) {
    protobuf.parse(source, root);
  }
  root.resolveAll();
  return root;
}

const root = loadRoot();

const REQUEST_TYPES: Record<OtlpSignal, protobuf.Type> = {
  traces: root.lookupType(
    'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
  ),
  metrics: root.lookupType(
    'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest',
  ),
  logs: root.lookupType(
    'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest',
  ),
};

const RESPONSE_TYPES: Record<OtlpSignal, protobuf.Type> = {
  traces: root.lookupType(
    'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse',
  ),
  metrics: root.lookupType(
    'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse',
  ),
  logs: root.lookupType(
    'opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse',
  ),
};

const STATUS_TYPE = root.lookupType('google.rpc.Status');

/**
 * Conversion options that turn decoded messages into plain objects in the OTLP JSON shape:
 * 64-bit integers as exact decimal strings, enums as integers, bytes as
 * base64, and absent fields left out.
 */
const TO_OBJECT: protobuf.IConversionOptions = {
  longs: String,
  enums: Number,
  bytes: String,
  defaults: false,
};

type Json = Record<string, unknown>;

function list(value: unknown): Json[] {
  return Array.isArray(value) ? (value as Json[]) : [];
}

function hexFromBase64(holder: Json, field: string): void {
  const value = holder[field];
  if (typeof value === 'string') {
    holder[field] = Buffer.from(value, 'base64').toString('hex');
  }
}

/** Collects the items of a request across its resources and scopes. */
function itemsOf(request: Json, keys: [string, string, string]): Json[] {
  const [resourceKey, scopeKey, itemKey] = keys;
  return list(request[resourceKey]).flatMap((resource) =>
    list(resource[scopeKey]).flatMap((scope) => list(scope[itemKey])),
  );
}

/**
 * Rewrites the id fields of a decoded request from base64 to hex, the
 * spelling OTLP/JSON uses. Metric exemplars carry ids too, but they are
 * not mapped, so they are left as they are.
 */
function idsToHex(signal: OtlpSignal, request: Json): void {
  if (signal === 'traces') {
    for (const span of itemsOf(request, [
      'resourceSpans',
      'scopeSpans',
      'spans',
    ])) {
      hexFromBase64(span, 'traceId');
      hexFromBase64(span, 'spanId');
      hexFromBase64(span, 'parentSpanId');
      for (const link of list(span.links)) {
        hexFromBase64(link, 'traceId');
        hexFromBase64(link, 'spanId');
      }
    }
  } else if (signal === 'logs') {
    for (const record of itemsOf(request, [
      'resourceLogs',
      'scopeLogs',
      'logRecords',
    ])) {
      hexFromBase64(record, 'traceId');
      hexFromBase64(record, 'spanId');
    }
  }
}

/**
 * Decodes an Export*ServiceRequest from protobuf into the OTLP JSON shape,
 * so one mapping serves both encodings. Raises protobufjs's error when the
 * bytes are not a valid message.
 */
export function decodeProtobufRequest(signal: OtlpSignal, body: Buffer): Json {
  const type = REQUEST_TYPES[signal];
  const request = type.toObject(type.decode(body), TO_OBJECT);
  idsToHex(signal, request);
  return request;
}

/** Partial success of an export: items rejected and why. */
export interface PartialSuccess {
  rejected: number;
  errorMessage: string;
}

const REJECTED_FIELD: Record<OtlpSignal, string> = {
  traces: 'rejectedSpans',
  metrics: 'rejectedDataPoints',
  logs: 'rejectedLogRecords',
};

/**
 * Builds an Export*ServiceResponse in the OTLP JSON shape. `partialSuccess`
 * is left out when nothing was rejected, as OTLP specifies for a full success.
 * The count is a JSON number: proto3 JSON parsers accept numbers for int64
 * fields, and a count of items in one request is far below 2^53.
 */
export function exportResponse(
  signal: OtlpSignal,
  partial: PartialSuccess | undefined,
): Json {
  if (!partial || partial.rejected === 0) return {};
  return {
    partialSuccess: {
      [REJECTED_FIELD[signal]]: partial.rejected,
      errorMessage: partial.errorMessage,
    },
  };
}

/** Encodes an Export*ServiceResponse as protobuf. */
export function encodeProtobufResponse(
  signal: OtlpSignal,
  partial: PartialSuccess | undefined,
): Buffer {
  const type = RESPONSE_TYPES[signal];
  const message = type.fromObject(exportResponse(signal, partial));
  return Buffer.from(type.encode(message).finish());
}

/**
 * Encodes a google.rpc.Status, the error body OTLP/HTTP specifies for
 * protobuf requests. `code` is a gRPC status code, such as 3
 * (INVALID_ARGUMENT).
 */
export function encodeProtobufStatus(code: number, message: string): Buffer {
  const status = STATUS_TYPE.fromObject({ code, message });
  return Buffer.from(STATUS_TYPE.encode(status).finish());
}

/** Decodes a google.rpc.Status, for tests and clients of our own. */
export function decodeProtobufStatus(body: Buffer): {
  code: number;
  message: string;
} {
  const status = STATUS_TYPE.toObject(STATUS_TYPE.decode(body), TO_OBJECT);
  return {
    code: Number(status.code ?? 0),
    message: String(status.message ?? ''),
  };
}

/** Decodes an Export*ServiceResponse into the OTLP JSON shape. */
export function decodeProtobufResponse(signal: OtlpSignal, body: Buffer): Json {
  const type = RESPONSE_TYPES[signal];
  return type.toObject(type.decode(body), TO_OBJECT);
}

/** Encodes a request given in the OTLP JSON shape, ids as base64 bytes. */
export function encodeProtobufRequest(
  signal: OtlpSignal,
  request: Json,
): Buffer {
  const type = REQUEST_TYPES[signal];
  return Buffer.from(type.encode(type.fromObject(request)).finish());
}
