import type { AnyValue } from '../../../model/attributes.js';
import type { Span } from '../../../model/span.js';
import type { TraceListQuery } from '../../ports.js';
import { nanosOfMs } from './keys.js';

/** Parses text as a double the way a lenient SQL cast does; NaN if not. */
function parseDouble(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text);
}

/**
 * Returns whether an attribute value equals `text`, compared as the
 * DuckDB store compares. Strings, 64-bit integers (decimal), booleans
 * (`true`, `false`) and bytes (base64) compare as text, and doubles by
 * numeric value, so `0.5` matches `0.50`. Arrays, maps and empty values
 * never match.
 */
export function valueMatches(value: AnyValue | undefined, text: string) {
  if (value === undefined) return false;
  if ('stringValue' in value) return value.stringValue === text;
  if ('intValue' in value) return value.intValue === text;
  if ('boolValue' in value) return String(value.boolValue) === text;
  if ('bytesValue' in value) return value.bytesValue === text;
  if ('doubleValue' in value) return value.doubleValue === parseDouble(text);
  return false;
}

/** Returns whether each attribute is on the span or on its resource. */
export function attributesMatch(
  span: Span,
  attributes: Record<string, string>,
): boolean {
  return Object.entries(attributes).every(
    ([key, text]) =>
      valueMatches(span.attributes[key], text) ||
      valueMatches(span.resource[key], text),
  );
}

/**
 * Returns whether a span puts its trace on a list: it belongs to the
 * service, starts in the range and matches the operation and attributes.
 */
export function spanListsTrace(span: Span, query: TraceListQuery): boolean {
  const start = span.start_time_unix_nano;
  return (
    span.service === query.service &&
    start >= nanosOfMs(query.start_ms) &&
    start < nanosOfMs(query.end_ms) &&
    (query.operation === undefined || span.name === query.operation) &&
    attributesMatch(span, query.attributes ?? {})
  );
}
