import protobuf from 'protobufjs';
import type { OtlpSignal } from '../otlp/protobuf.js';
import { OTLP_PROTO_SOURCES } from '../otlp/schema.js';

const REQUEST_TYPE_NAMES: Record<OtlpSignal, string> = {
  traces: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
  metrics:
    'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest',
  logs: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest',
};

const SIGNALS: readonly OtlpSignal[] = ['traces', 'metrics', 'logs'];

/**
 * Deepest message nesting checked. OTLP values nest (an AnyValue contains
 * a list of KeyValues that contain AnyValues), and a deeper message is
 * not taken for OTLP rather than risk the stack.
 */
const MAX_MESSAGE_DEPTH = 200;

// Protobuf wire types that cannot start a field of an OTLP message:
// the deprecated groups (3, 4) and the unassigned values 6 and 7.
const LENGTH_DELIMITED = 2;

function loadRequestTypes(): Record<OtlpSignal, protobuf.Type> {
  const root = new protobuf.Root();
  for (const source of OTLP_PROTO_SOURCES) protobuf.parse(source, root);
  root.resolveAll();
  const types = {} as Record<OtlpSignal, protobuf.Type>;
  for (const signal of SIGNALS) {
    types[signal] = root.lookupType(REQUEST_TYPE_NAMES[signal]);
  }
  return types;
}

const REQUEST_TYPES = loadRequestTypes();

/** Returns the wire types a field may use: packed repeated scalars add 2. */
function wireTypesOf(field: protobuf.Field): number[] {
  if (field.resolvedType instanceof protobuf.Type) return [LENGTH_DELIMITED];
  if (field.resolvedType instanceof protobuf.Enum) {
    return field.repeated ? [0, LENGTH_DELIMITED] : [0];
  }
  const wire = (protobuf.types.basic as Record<string, number>)[field.type];
  if (wire === undefined) return [];
  const packable = field.type in protobuf.types.packed;
  return field.repeated && packable ? [wire, LENGTH_DELIMITED] : [wire];
}

/**
 * Byte lengths that ids must have, per message and field number: trace
 * ids are 16 bytes and span ids 8, and an empty optional id is 0.
 */
const ID_LENGTHS: Record<string, Record<number, number[]>> = {
  'opentelemetry.proto.trace.v1.Span': { 1: [16], 2: [8], 4: [0, 8] },
  'opentelemetry.proto.trace.v1.Span.Link': { 1: [16], 2: [8] },
  'opentelemetry.proto.logs.v1.LogRecord': { 9: [0, 16], 10: [0, 8] },
};

/** Fields a message cannot be without: a span's trace and span ids. */
const REQUIRED_FIELDS: Record<string, number[]> = {
  'opentelemetry.proto.trace.v1.Span': [1, 2],
  'opentelemetry.proto.trace.v1.Span.Link': [1, 2],
};

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Checks a scalar field's value where the wire type alone is not enough:
 * a string must be valid UTF-8, as proto3 requires, and an id must have
 * its length.
 */
function valueConforms(
  type: protobuf.Type,
  field: protobuf.Field,
  reader: protobuf.Reader,
  wire: number,
): boolean {
  const lengths = ID_LENGTHS[type.fullName.slice(1)]?.[field.id];
  if (field.type !== 'string' && !lengths) {
    reader.skipType(wire);
    return true;
  }
  const bytes = reader.bytes();
  if (lengths) return lengths.includes(bytes.length);
  try {
    UTF8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function isKnownWireType(wire: number): boolean {
  return wire === 0 || wire === 1 || wire === 2 || wire === 5;
}

/**
 * Walks a message's fields and checks each known field's wire type
 * against the schema, descending into nested messages, along with string
 * and id values (see {@link valueConforms}) and required fields. Unknown
 * fields are allowed, as protobuf allows them. Raises protobufjs's
 * RangeError when the bytes end inside a field.
 */
function conforms(
  type: protobuf.Type,
  reader: protobuf.Reader,
  end: number,
  depth: number,
): boolean {
  if (depth > MAX_MESSAGE_DEPTH) return false;
  const seen = new Set<number>();
  while (reader.pos < end) {
    const tag = reader.uint32();
    const wire = tag & 7;
    if (tag >>> 3 === 0 || !isKnownWireType(wire)) return false;
    const field = type.fieldsById[tag >>> 3];
    if (!field) {
      reader.skipType(wire);
      continue;
    }
    seen.add(field.id);
    if (!wireTypesOf(field).includes(wire)) return false;
    if (!(field.resolvedType instanceof protobuf.Type)) {
      if (!valueConforms(type, field, reader, wire)) return false;
      continue;
    }
    const length = reader.uint32();
    const fieldEnd = reader.pos + length;
    if (fieldEnd > end) return false;
    if (!conforms(field.resolvedType, reader, fieldEnd, depth + 1)) {
      return false;
    }
  }
  const required = REQUIRED_FIELDS[type.fullName.slice(1)] ?? [];
  return reader.pos === end && required.every((id) => seen.has(id));
}

/** Tells whether `data` is a well-formed export request of `signal`. */
export function isOtlpRequest(signal: OtlpSignal, data: Buffer): boolean {
  try {
    const reader = protobuf.Reader.create(data);
    return conforms(REQUEST_TYPES[signal], reader, data.length, 0);
  } catch {
    return false;
  }
}

/**
 * Finds the OTLP signals whose export request `data` is, by checking
 * every field against each request's schema. The three requests share
 * their outer layout, so only the items tell them apart. A span starts
 * with a 16-byte trace id and an 8-byte span id, and a log record with
 * its time (fixed64). A span's times (fixed64) sit where a metric has its
 * sum (a message). A request with no items fits all three.
 */
export function otlpSignalsOf(data: Buffer): OtlpSignal[] {
  return SIGNALS.filter((signal) => isOtlpRequest(signal, data));
}
