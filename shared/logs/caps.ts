import { MAX_ATTRIBUTE_KEY_BYTES, MAX_LOG_ATTRIBUTES } from '#shared/limits.js';
import type { LogRecord } from '#shared/model/log.js';
import { capValues, isOversizedKey } from '#shared/traces/caps.js';

export { MAX_LOG_ATTRIBUTES } from '#shared/limits.js';

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
