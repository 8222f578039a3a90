import { createHash } from 'node:crypto';
import type { LogRecord } from '#shared/model/log.js';

/** The fields that identify a log record that has no id of its own. */
export type LogIdFields = Pick<
  LogRecord,
  'service' | 'time_unix_nano' | 'body' | 'trace_id' | 'span_id'
>;

/**
 * Returns the id a log record is stored under. That is the source's own id
 * where one exists (a CloudWatch Logs event id, an `id` sent to our API).
 * Otherwise it is the first 128 bits of a SHA-256 over service, time, body
 * and trace context, as 32 hex digits. The hash ignores attributes and
 * severity, so a record sent again by an at-least-once source is stored
 * once.
 */
export function logIdOf(fields: LogIdFields, sourceId?: string): string {
  if (sourceId !== undefined && sourceId !== '') return sourceId;

  const canonical = canonicalJson([
    fields.service,
    fields.time_unix_nano.toString(),
    fields.body,
    fields.trace_id ?? '',
    fields.span_id ?? '',
  ]);
  return createHash('sha256')
    .update(canonical, 'utf8')
    .digest('hex')
    .slice(0, 32);
}

/**
 * Serializes JSON with object keys sorted, so two decoders that build the
 * same body with keys in another order produce the same hash.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => compareCodeUnits(a, b))
      .map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`);
    return `{${entries.join(',')}}`;
  }
  if (typeof value === 'bigint') return value.toString();
  return JSON.stringify(value) ?? 'null';
}

/** Orders by UTF-16 code units, which no locale setting changes. */
function compareCodeUnits(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
