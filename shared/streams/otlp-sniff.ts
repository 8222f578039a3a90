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
 * Deepest message nesting checked. OTLP values nest (an AnyValue holds a
 * list of KeyValues holding AnyValues), and a deeper message is not taken
 * for OTLP rather than risk the stack.
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

/** The wire types a field may arrive with: packed repeated scalars add 2. */
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

function isKnownWireType(wire: number): boolean {
  return wire === 0 || wire === 1 || wire === 2 || wire === 5;
}

/**
 * Walks a message's fields and checks each known field's wire type
 * against the schema, descending into nested messages. Unknown fields
 * are allowed, as protobuf allows them. Raises protobufjs's RangeError
 * when the bytes end inside a field.
 */
function conforms(
  type: protobuf.Type,
  reader: protobuf.Reader,
  end: number,
  depth: number,
): boolean {
  if (depth > MAX_MESSAGE_DEPTH) return false;
  while (reader.pos < end) {
    const tag = reader.uint32();
    const wire = tag & 7;
    if (tag >>> 3 === 0 || !isKnownWireType(wire)) return false;
    const field = type.fieldsById[tag >>> 3];
    if (!field) {
      reader.skipType(wire);
      continue;
    }
    if (!wireTypesOf(field).includes(wire)) return false;
    if (!(field.resolvedType instanceof protobuf.Type)) {
      reader.skipType(wire);
      continue;
    }
    const length = reader.uint32();
    const fieldEnd = reader.pos + length;
    if (fieldEnd > end) return false;
    if (!conforms(field.resolvedType, reader, fieldEnd, depth + 1)) {
      return false;
    }
  }
  return reader.pos === end;
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
 * Finds the OTLP signals whose export request `data` is, by checking the
 * wire type of every field against each request's schema. The three
 * requests share their outer layout, so only the items tell them apart:
 * a span starts with its trace id (bytes), a log record with its time
 * (fixed64), and a span's times (fixed64) sit where a metric has its sum
 * and gauge (messages). A request with no items fits all three.
 */
export function otlpSignalsOf(data: Buffer): OtlpSignal[] {
  return SIGNALS.filter((signal) => isOtlpRequest(signal, data));
}
