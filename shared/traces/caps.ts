import {
  MAX_ATTRIBUTE_KEY_BYTES,
  MAX_ATTRIBUTE_VALUE_BYTES,
  MAX_RESOURCE_ATTRIBUTES,
  MAX_SERVICE_NAME_LENGTH,
  MAX_SPAN_ATTRIBUTES,
  MAX_SPAN_EVENTS,
  MAX_SPAN_LINKS,
  TRUNCATION_MARK,
} from '../limits.js';
import type { AnyValue, Attributes } from '../model/attributes.js';
import type { Span } from '../model/span.js';

export {
  MAX_ATTRIBUTE_VALUE_BYTES,
  MAX_SPAN_ATTRIBUTES as MAX_ATTRIBUTES,
  MAX_SPAN_EVENTS as MAX_EVENTS,
  MAX_SPAN_LINKS as MAX_LINKS,
  TRUNCATION_MARK,
} from '../limits.js';

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

/**
 * Returns why a service name cannot be stored, or undefined. Every item
 * stores its service name, and it appears in URLs, so it is capped like a
 * label rather than like an attribute value.
 */
export function serviceNameProblem(service: string): string | undefined {
  if (service.length <= MAX_SERVICE_NAME_LENGTH) return undefined;
  return (
    `service name of ${service.length} characters is longer than ` +
    `${MAX_SERVICE_NAME_LENGTH}; send a short service.name`
  );
}

/** Tells whether an attribute key is longer than the key cap. */
export function isOversizedKey(key: string): boolean {
  return (
    key.length > MAX_ATTRIBUTE_KEY_BYTES / 3 &&
    Buffer.byteLength(key, 'utf8') > MAX_ATTRIBUTE_KEY_BYTES
  );
}

/**
 * Caps an attribute map: keys over the key cap are dropped, then keys
 * beyond the count cap. Returns the map and the number of keys dropped.
 */
function capAttributes(attributes: Attributes): [Attributes, number] {
  const entries = Object.entries(attributes);
  const kept = entries
    .filter(([key]) => !isOversizedKey(key))
    .slice(0, MAX_SPAN_ATTRIBUTES)
    .map(([key, value]) => [key, capValue(value)] as const);
  return [Object.fromEntries(kept), entries.length - kept.length];
}

/** Caps the size of every string value in a map, keeping all keys. */
export function capValues(attributes: Attributes): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    out[key] = capValue(value);
  }
  return out;
}

/**
 * Applies the size and count caps to a span, counting what it drops in
 * the span's `dropped_*` fields. Resource and scope values are shortened
 * here too, but their keys are never dropped, because the span model has
 * no field to count them: see {@link resourceCapProblem}.
 */
export function capSpan(span: Span): Span {
  const [attributes, droppedAttributes] = capAttributes(span.attributes);
  const events = span.events.slice(0, MAX_SPAN_EVENTS).map((event) => {
    const [capped, dropped] = capAttributes(event.attributes);
    const count = event.dropped_attributes_count + dropped;
    return { ...event, attributes: capped, dropped_attributes_count: count };
  });
  const links = span.links.slice(0, MAX_SPAN_LINKS).map((link) => {
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

/**
 * Returns why a span cannot be stored under the service name and resource
 * caps, or undefined. Its resource and scope are shared by every span of
 * their request, so their key counts are checked here rather than cut.
 */
export function resourceCapProblem(span: Span): string | undefined {
  const service = serviceNameProblem(span.service);
  if (service) return service;
  const maps = [
    ['resource', span.resource],
    ['scope attributes', span.scope.attributes],
  ] as const;
  for (const [name, attributes] of maps) {
    const count = Object.keys(attributes).length;
    if (count > MAX_RESOURCE_ATTRIBUTES) {
      return (
        `${name} has ${count} keys, above the limit of ` +
        `${MAX_RESOURCE_ATTRIBUTES}; move per-request detail to span ` +
        'attributes'
      );
    }
  }
  return undefined;
}
