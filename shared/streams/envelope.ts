import { formatPath } from '../http/zod-details.js';
import { parseLogInput } from '../logs/ingest.js';
import { toMetricPoint } from '../metrics/api-point.js';
import { apiPointSchema } from '../metrics/schema.js';
import { readJsonSpan } from '../traces/from-json.js';
import type { DecodeContext, DecodedRecord } from './items.js';

/** The `type` values of an Observatory envelope. */
export const ENVELOPE_TYPES = ['metric', 'log', 'span'] as const;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Tells whether a JSON object is one envelope: it has a `type` field. */
export function isEnvelope(value: Json): boolean {
  return 'type' in value;
}

/** Tells whether a JSON object wraps envelopes as `{"records": [...]}`. */
export function isEnvelopeList(value: Json): boolean {
  return Array.isArray(value.records);
}

function withoutType(envelope: Json): Json {
  const { type: _type, ...rest } = envelope;
  return rest;
}

/**
 * Reads a metric envelope. A metric point has a `type` of its own
 * (counter, gauge, histogram or summary), so the envelope carries it as
 * `metric_type`. A point without a timestamp gets the record's arrival
 * time, so a redelivered record repeats the same point.
 */
function readMetric(
  envelope: Json,
  label: string,
  into: DecodedRecord,
  context: DecodeContext,
) {
  const { type: _type, metric_type: metricType, ...rest } = envelope;
  const parsed = apiPointSchema.safeParse({ ...rest, type: metricType });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path ?? [];
    const field = path[0] === 'type' ? 'metric_type' : formatPath(path);
    into.problems.push(`${label}: ${field}: ${issue?.message ?? 'is invalid'}`);
    return;
  }
  const point = toMetricPoint(parsed.data, context.receivedMs);
  into.points.push({ item: point, label });
}

/** Reads a log envelope; without a time it gets the record's arrival time. */
function readLog(
  envelope: Json,
  label: string,
  into: DecodedRecord,
  context: DecodeContext,
) {
  const input = withoutType(envelope);
  if (input.timestamp === undefined && input.time_unix_nano === undefined) {
    input.timestamp = context.receivedMs;
  }
  const result = parseLogInput(input, context.receivedMs);
  if ('reason' in result) into.problems.push(`${label}: ${result.reason}`);
  else into.logs.push({ item: result.record, label });
}

function readSpan(envelope: Json, label: string, into: DecodedRecord) {
  const reading = readJsonSpan(withoutType(envelope));
  if ('reason' in reading) into.problems.push(`${label}: ${reading.reason}`);
  else into.spans.push({ item: reading.span, label });
}

/**
 * Reads one envelope: `{"type": "metric" | "log" | "span", ...}` with the
 * item's fields as our JSON API takes them.
 */
function readEnvelope(
  value: unknown,
  label: string,
  into: DecodedRecord,
  context: DecodeContext,
): void {
  if (!isObject(value)) {
    into.problems.push(
      `${label}: expected an object with type metric, log or span`,
    );
    return;
  }
  switch (value.type) {
    case 'metric':
      readMetric(value, label, into, context);
      break;
    case 'log':
      readLog(value, label, into, context);
      break;
    case 'span':
      readSpan(value, label, into);
      break;
    default:
      into.problems.push(
        `${label}: type ${JSON.stringify(value.type)} is not an envelope ` +
          'type; send metric (with metric_type), log or span',
      );
  }
}

/** Returns the envelopes of an array or of `{"records": [...]}`, if any. */
function envelopeList(document: unknown): unknown[] | undefined {
  if (Array.isArray(document)) return document;
  if (isObject(document) && isEnvelopeList(document)) {
    return document.records as unknown[];
  }
  return undefined;
}

/**
 * Reads the envelopes of one JSON document: a single envelope, an array
 * of them, or `{"records": [...]}`. Each item is read on its own, so an
 * invalid one is reported by its position and the rest are kept.
 */
export function readEnvelopes(
  document: unknown,
  label: string,
  into: DecodedRecord,
  context: DecodeContext,
): void {
  const list = envelopeList(document);
  if (!list) {
    readEnvelope(document, label, into, context);
    return;
  }
  for (const [index, item] of list.entries()) {
    readEnvelope(item, `${label}, item ${index}`, into, context);
  }
}
