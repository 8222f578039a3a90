import type { AnyValue, Attributes } from '../model/attributes.js';
import type { Span } from '../model/span.js';

/**
 * Most attributes kept per span, event and link, and most events and
 * links per span: the default limits of the OpenTelemetry SDKs. Further
 * items are dropped and counted in the `dropped_*` fields.
 */
export const MAX_ATTRIBUTES = 128;
export const MAX_EVENTS = 128;
export const MAX_LINKS = 128;

/** Maximum size of a string attribute value, in UTF-8 bytes. */
export const MAX_ATTRIBUTE_VALUE_BYTES = 8192;

/** Appended to a shortened value so readers can tell it was cut. */
export const TRUNCATION_MARK = '…';
const MARK_BYTES = Buffer.byteLength(TRUNCATION_MARK);

/** Shortens text to the byte cap on a UTF-8 character boundary. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes) return text;
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let cut = maxBytes - MARK_BYTES;
  // Continuation bytes look like 10xxxxxx; never cut before one.
  while (cut > 0 && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut -= 1;
  return bytes.subarray(0, cut).toString('utf8') + TRUNCATION_MARK;
}

function capValue(value: AnyValue): AnyValue {
  if ('stringValue' in value) {
    const text = truncateUtf8(value.stringValue, MAX_ATTRIBUTE_VALUE_BYTES);
    return text === value.stringValue ? value : { stringValue: text };
  }
  if ('arrayValue' in value) {
    return { arrayValue: { values: value.arrayValue.values.map(capValue) } };
  }
  if ('kvlistValue' in value) {
    const values = value.kvlistValue.values.map((kv) => ({
      key: kv.key,
      value: capValue(kv.value),
    }));
    return { kvlistValue: { values } };
  }
  return value;
}

/** Caps an attribute map; returns it with the number of keys dropped. */
function capAttributes(attributes: Attributes): [Attributes, number] {
  const entries = Object.entries(attributes);
  const kept = entries
    .slice(0, MAX_ATTRIBUTES)
    .map(([key, value]) => [key, capValue(value)] as const);
  return [Object.fromEntries(kept), entries.length - kept.length];
}

/** Caps the size of every string value in a map, keeping all keys. */
function capValues(attributes: Attributes): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    out[key] = capValue(value);
  }
  return out;
}

/**
 * Applies the size and count caps to a span, counting what it drops in
 * the span's `dropped_*` fields. Resource and scope attributes are capped
 * in size only: OTLP has no field to count keys dropped from them.
 */
export function capSpan(span: Span): Span {
  const [attributes, droppedAttributes] = capAttributes(span.attributes);
  const events = span.events.slice(0, MAX_EVENTS).map((event) => {
    const [capped, dropped] = capAttributes(event.attributes);
    const count = event.dropped_attributes_count + dropped;
    return { ...event, attributes: capped, dropped_attributes_count: count };
  });
  const links = span.links.slice(0, MAX_LINKS).map((link) => {
    const [capped, dropped] = capAttributes(link.attributes);
    const count = link.dropped_attributes_count + dropped;
    return { ...link, attributes: capped, dropped_attributes_count: count };
  });
  return {
    ...span,
    attributes,
    resource: capValues(span.resource),
    scope: { ...span.scope, attributes: capValues(span.scope.attributes) },
    events,
    links,
    dropped_attributes_count: span.dropped_attributes_count + droppedAttributes,
    dropped_events_count:
      span.dropped_events_count + span.events.length - events.length,
    dropped_links_count:
      span.dropped_links_count + span.links.length - links.length,
  };
}
