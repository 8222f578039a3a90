import {
  MAX_ATTRIBUTE_KEY_BYTES,
  MAX_ATTRIBUTE_VALUE_BYTES,
  MAX_LOG_ATTRIBUTES,
} from '#shared/limits.js';
import type { AnyValue, Attributes } from '#shared/model/attributes.js';
import type { LogRecord } from '#shared/model/log.js';
import { isOversizedKey, truncateUtf8 } from '#shared/traces/caps.js';

export { MAX_LOG_ATTRIBUTES } from '#shared/limits.js';

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

/**
 * Returns why a record has too many attribute keys or a key over the key
 * size cap, or undefined.
 */
export function tooManyAttributes(record: LogRecord): string | undefined {
  for (const field of ['attributes', 'resource'] as const) {
    const keys = Object.keys(record[field]);
    if (keys.length > MAX_LOG_ATTRIBUTES) {
      return (
        `${field} has ${keys.length} keys; the limit is ` +
        `${MAX_LOG_ATTRIBUTES} per record`
      );
    }
    const long = keys.find(isOversizedKey);
    if (long !== undefined) {
      return (
        `${field} key ${JSON.stringify(long.slice(0, 32))}... is longer ` +
        `than ${MAX_ATTRIBUTE_KEY_BYTES} bytes; use a short key and put ` +
        'the text in the value'
      );
    }
  }
  return undefined;
}
