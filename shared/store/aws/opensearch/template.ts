import type { OpenSearchTransport } from './client.js';
import { failureOf } from './client.js';

/** Normalizer of `message.substring`, defined in the template settings. */
const LOWERCASE_NORMALIZER = 'log_lowercase';

/**
 * The mapping of every daily log index. It cannot grow, because
 * `dynamic: strict` rejects a field it does not list. Free-form keys live
 * in `flat_object` fields, which index `attributes.app` and
 * `attributes.app.kubernetes.io/name` as two paths of one field. Under
 * dynamic mapping the second key would become an object field `app`,
 * which conflicts with the string field `app`.
 *
 * - `timestamp` (`date_nanos`) carries ranges, sorting and buckets. It
 *   holds any time from 1970 to 2262, which covers every non-negative
 *   signed 64-bit nanosecond count.
 * - `message.substring` (`wildcard`, normalized by the `lowercase` token
 *   filter) runs log search. It indexes 3-grams, then checks each
 *   candidate against the lower-cased message. A `*term*` query is thus
 *   an exact case-insensitive substring test across word boundaries, as
 *   DuckDB's `contains(lower(message), term)` is. Doc values are off
 *   because they would cap a message at 32,766 bytes, so the check reads
 *   `_source`.
 * - `typed` keeps the OTLP values with their types (64-bit integers as
 *   strings) in `_source` only; `enabled: false` indexes nothing in it.
 *
 * `wildcard` needs OpenSearch 2.15 or later, and `flat_object` parses
 * keys with dots correctly from 2.12.
 *
 * NOTE: whether OpenSearch Serverless (`aoss`) accepts `wildcard` and
 * `flat_object` fields has not been checked against a collection.
 */
export const LOG_MAPPINGS = {
  dynamic: 'strict',
  properties: {
    log_id: { type: 'keyword' },
    service: { type: 'keyword', ignore_above: 8191 },
    level: { type: 'keyword' },
    severity_number: { type: 'integer' },
    severity_text: { type: 'keyword', ignore_above: 256 },
    timestamp: {
      type: 'date_nanos',
      format: 'strict_date_optional_time_nanos',
    },
    time_unix_nano: { type: 'keyword' },
    observed_time_unix_nano: { type: 'keyword', index: false },
    message: {
      type: 'text',
      fields: {
        substring: {
          type: 'wildcard',
          normalizer: LOWERCASE_NORMALIZER,
          doc_values: false,
        },
      },
    },
    trace_id: { type: 'keyword' },
    span_id: { type: 'keyword' },
    attributes: { type: 'flat_object' },
    resource: { type: 'flat_object' },
    typed: { type: 'object', enabled: false },
  },
} as const;

/** Returns the name of the index template of the indices `prefix-*`. */
export function templateNameOf(indexPrefix: string): string {
  return `${indexPrefix}-template`;
}

/**
 * Builds the composable index template (`PUT _index_template/<name>`)
 * that every daily index `prefix-YYYY.MM.DD` is created from when the
 * first record of its day is written.
 */
export function logIndexTemplate(indexPrefix: string) {
  return {
    index_patterns: [`${indexPrefix}-*`],
    priority: 200,
    template: {
      settings: {
        index: { mapping: { total_fields: { limit: 100 } } },
        // Defined here rather than relying on a built-in `lowercase`
        // normalizer, which not every OpenSearch version ships.
        analysis: {
          normalizer: {
            [LOWERCASE_NORMALIZER]: { type: 'custom', filter: ['lowercase'] },
          },
        },
      },
      mappings: LOG_MAPPINGS,
    },
    _meta: { description: 'Observatory log records, one index per day' },
  };
}

/**
 * Creates or replaces the log index template. The deploy step calls it
 * before the first write, because an index created without the template
 * would map fields dynamically. Replacing it changes only indices created
 * afterwards. Raises StoreError when the cluster refuses it.
 */
export async function ensureIndexTemplate(
  client: OpenSearchTransport,
  indexPrefix: string,
): Promise<void> {
  const response = await client.send({
    method: 'PUT',
    path: `/_index_template/${encodeURIComponent(templateNameOf(indexPrefix))}`,
    body: logIndexTemplate(indexPrefix),
  });
  if (response.statusCode !== 200) {
    throw failureOf('index template update', response);
  }
}
