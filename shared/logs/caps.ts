import type { AnyValue, Attributes } from '#shared/model/attributes.js';
import type { LogRecord } from '#shared/model/log.js';
import {
  MAX_ATTRIBUTE_VALUE_BYTES,
  truncateUtf8,
} from '#shared/traces/caps.js';

/**
 * Maximum keys in a record's `attributes`, and separately in `resource`.
 * A record with more is rejected rather than cut, because the log model
 * has no field to count dropped keys.
 */
export const MAX_LOG_ATTRIBUTES = 256;

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

function capValues(attributes: Attributes): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    out[key] = capValue(value);
  }
  return out;
}

/**
 * Shortens string attribute values longer than the cap on a UTF-8
 * boundary and ends them with the truncation mark, in the record's
 * attributes and resource alike.
 */
export function capLogAttributes(record: LogRecord): LogRecord {
  return {
    ...record,
    attributes: capValues(record.attributes),
    resource: capValues(record.resource),
  };
}

/** Returns why a record has too many attribute keys, or undefined. */
export function tooManyAttributes(record: LogRecord): string | undefined {
  for (const field of ['attributes', 'resource'] as const) {
    const count = Object.keys(record[field]).length;
    if (count > MAX_LOG_ATTRIBUTES) {
      return (
        `${field} has ${count} keys; the limit is ${MAX_LOG_ATTRIBUTES} ` +
        'per record'
      );
    }
  }
  return undefined;
}
