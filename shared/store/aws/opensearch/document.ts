import {
  type AnyValue,
  type Attributes,
  textFromAnyValue,
} from '#shared/model/attributes.js';
import type { LogLevel, LogRecord } from '#shared/model/log.js';
import type { InstrumentationScope } from '#shared/model/span.js';

/**
 * Maximum UTF-8 bytes of an attribute key plus its text that the
 * `flat_object` fields index. OpenSearch indexes each entry as one
 * `path=value` term, and Lucene rejects a term above 32,766 bytes, which
 * would fail the whole record. Longer entries stay in `typed` and are read
 * back, but an attribute filter does not find them.
 */
export const MAX_FLAT_ENTRY_BYTES = 16_384;

/** The parts of a record kept with their types, in `_source` only. */
export interface TypedParts {
  /**
   * Absent when the body is the string `message`, the usual case, so a
   * message is not stored twice.
   */
  body?: AnyValue;
  attributes: Attributes;
  resource: Attributes;
  scope: InstrumentationScope;
}

/**
 * A log record as stored in OpenSearch. The field list matches the index
 * template's mapping, whose `dynamic: strict` rejects any other field.
 */
export interface LogDocument {
  log_id: string;
  service: string;
  level: LogLevel;
  severity_number: number;
  severity_text: string;
  /** `time_unix_nano` as ISO 8601 with nine fraction digits, UTC. */
  timestamp: string;
  /** Exact epoch nanoseconds as a decimal string. */
  time_unix_nano: string;
  observed_time_unix_nano: string;
  message: string;
  trace_id: string | null;
  span_id: string | null;
  /** Attribute values as text, keyed exactly as sent, for filters. */
  attributes: Record<string, string>;
  resource: Record<string, string>;
  typed: TypedParts;
}

const NANOS_PER_MS = 1_000_000n;
const NANOS_PER_SECOND = 1_000_000_000n;

/**
 * Formats epoch nanoseconds as ISO 8601 in UTC with nine fraction digits,
 * the form a `date_nanos` field with `strict_date_optional_time_nanos`
 * reads without rounding.
 */
export function isoFromNanos(nanos: bigint): string {
  const seconds = nanos / NANOS_PER_SECOND;
  const fraction = (nanos % NANOS_PER_SECOND).toString().padStart(9, '0');
  const whole = new Date(Number(seconds) * 1000).toISOString();
  return `${whole.slice(0, 19)}.${fraction}Z`;
}

/** Formats epoch milliseconds as {@link isoFromNanos} does. */
export function isoFromMsNanos(ms: number): string {
  return isoFromNanos(BigInt(ms) * NANOS_PER_MS);
}

/**
 * Renders attributes as text for a `flat_object` field. Entries above
 * {@link MAX_FLAT_ENTRY_BYTES} are left out of the index.
 */
export function flatTextOf(attributes: Attributes): Record<string, string> {
  const entries: [string, string][] = [];
  for (const [key, value] of Object.entries(attributes)) {
    const text = textFromAnyValue(value);
    const bytes = Buffer.byteLength(key) + Buffer.byteLength(text);
    if (bytes <= MAX_FLAT_ENTRY_BYTES) entries.push([key, text]);
  }
  // fromEntries keeps a `__proto__` key as an own property, where an
  // assignment would set the prototype and lose the key.
  return Object.fromEntries(entries);
}

/** Builds the document stored for a record. */
export function documentOf(record: LogRecord): LogDocument {
  return {
    log_id: record.log_id,
    service: record.service,
    level: record.level,
    severity_number: record.severity_number,
    severity_text: record.severity_text,
    timestamp: isoFromNanos(record.time_unix_nano),
    time_unix_nano: record.time_unix_nano.toString(),
    observed_time_unix_nano: record.observed_time_unix_nano.toString(),
    message: record.message,
    trace_id: record.trace_id,
    span_id: record.span_id,
    attributes: flatTextOf(record.attributes),
    resource: flatTextOf(record.resource),
    typed: typedPartsOf(record),
  };
}

function typedPartsOf(record: LogRecord): TypedParts {
  const parts: TypedParts = {
    attributes: record.attributes,
    resource: record.resource,
    scope: record.scope,
  };
  const body = record.body;
  const plain = 'stringValue' in body && body.stringValue === record.message;
  if (!plain || Object.keys(body).length !== 1) parts.body = body;
  return parts;
}

/** Rebuilds a record from the `_source` of a stored document. */
export function recordOf(source: LogDocument): LogRecord {
  return {
    log_id: source.log_id,
    service: source.service,
    time_unix_nano: BigInt(source.time_unix_nano),
    observed_time_unix_nano: BigInt(source.observed_time_unix_nano),
    severity_number: source.severity_number,
    severity_text: source.severity_text,
    level: source.level,
    body: source.typed.body ?? { stringValue: source.message },
    message: source.message,
    trace_id: source.trace_id,
    span_id: source.span_id,
    attributes: source.typed.attributes,
    resource: source.typed.resource,
    scope: source.typed.scope,
  };
}
