/**
 * Key design of the DynamoDB tables. Both tables have a string partition
 * key `pk`, a string sort key `sk` and TTL on `expires_at` (epoch seconds).
 *
 * Traces table (OBSERVATORY_TRACES_TABLE), one partition per trace:
 *
 * | item | pk | sk |
 * |---|---|---|
 * | span | `TRACE#<trace_id>` | `SPAN#<span_id>` |
 * | trace summary, per service and hour of its spans | `TRACE#<trace_id>` | `SUMMARY#<service>#<hour>` |
 * | topology edge observation | `TRACE#<trace_id>` | `EDGE#<child_span_id>` |
 * | observed service | `SERVICES` | `SERVICE#<service>` |
 *
 * Global secondary indexes, all with string keys (see
 * {@link TRACE_TABLE_INDEXES}):
 *
 * - `spans_by_service`: span items under
 *   `SPANS#<service>#<hour>#<shard>`, sorted by `<start>#<trace>#<span>`.
 *   Operation statistics query every hour and shard of a range.
 * - `traces_by_service`: summary items under `TRACES#<service>#<hour>`,
 *   where the hour is one in which spans of the service start, sorted by
 *   `<trace start>#<trace_id>`. A trace list reads every hour of its
 *   range in descending order and merges them by trace start, then trace
 *   id. So it finds each trace with a span of the service in the range,
 *   even one that started hours before.
 * - `edges_by_time`: edge items under `EDGES#<hour>#<shard>`, sorted by
 *   `<time>#<trace>#<child span>`.
 *
 * `<hour>` is the UTC hour of the time, as `2026-05-28T20`. Times in sort
 * keys are nanoseconds padded to 20 digits, so text order is time order
 * for every unsigned 64-bit value. Shards spread a busy service's spans,
 * and all edges, over several index partitions, because one partition
 * takes about 1,000 writes per second. The shard of an item is a hash of
 * its span id, so every write of it lands on the same key. Changing a
 * shard count changes where items are found: it needs a migration.
 *
 * Config table (OBSERVATORY_CONFIG_TABLE): pk `CONFIG#<kind>`, sk `<id>`,
 * no index and no TTL.
 *
 * Retention: every traces-table item gets `expires_at` at its event time
 * (span start, trace start, call time or last seen) plus the retention,
 * {@link DEFAULT_RETENTION_DAYS} unless the store is created with another.
 * DynamoDB deletes an expired item within a few days of its expiry, and
 * reads may return it until then.
 */

/** Days that trace data is kept after its event time. */
export const DEFAULT_RETENTION_DAYS = 30;

/** Index partitions per service and hour for spans. */
export const SPAN_INDEX_SHARDS = 4;
/** Index partitions per hour for edge observations. */
export const EDGE_INDEX_SHARDS = 4;

export const SPANS_BY_SERVICE = 'spans_by_service';
export const TRACES_BY_SERVICE = 'traces_by_service';
export const EDGES_BY_TIME = 'edges_by_time';

/** Attributes projected into `spans_by_service` for operation statistics. */
export const SPAN_STATS_ATTRIBUTES = [
  'name',
  'kind',
  'status_code',
  'duration_ns',
  'clock_skew',
  'incomplete',
  'parent_span_id',
];

/** A global secondary index, in the terms of CreateTable and CDK. */
export interface TableIndex {
  indexName: string;
  partitionKey: { name: string; type: 'S' };
  sortKey: { name: string; type: 'S' };
  projectionType: 'ALL' | 'INCLUDE';
  /** Attributes copied into an INCLUDE index besides the keys. */
  nonKeyAttributes?: string[];
}

/** The indexes the traces table needs. The CDK stack creates them. */
export const TRACE_TABLE_INDEXES: readonly TableIndex[] = [
  {
    indexName: SPANS_BY_SERVICE,
    partitionKey: { name: 'span_index_pk', type: 'S' },
    sortKey: { name: 'span_index_sk', type: 'S' },
    projectionType: 'INCLUDE',
    nonKeyAttributes: SPAN_STATS_ATTRIBUTES,
  },
  {
    indexName: TRACES_BY_SERVICE,
    partitionKey: { name: 'trace_index_pk', type: 'S' },
    sortKey: { name: 'trace_index_sk', type: 'S' },
    projectionType: 'ALL',
  },
  {
    indexName: EDGES_BY_TIME,
    partitionKey: { name: 'edge_index_pk', type: 'S' },
    sortKey: { name: 'edge_index_sk', type: 'S' },
    projectionType: 'ALL',
  },
];

/** The config table has no secondary index. */
export const CONFIG_TABLE_INDEXES: readonly TableIndex[] = [];

const MS_PER_HOUR = 3_600_000;
const NANOS_PER_MS = 1_000_000n;
const TIME_DIGITS = 20;

/** Pads nanoseconds so that text order is numeric order. */
export function padNanos(nanos: bigint): string {
  if (nanos < 0n) throw new RangeError(`invalid time ${nanos}: negative`);
  return nanos.toString().padStart(TIME_DIGITS, '0');
}

/** Whole milliseconds of a nanosecond time, rounded down. */
export function msOfNanos(nanos: bigint): number {
  return Number(nanos / NANOS_PER_MS);
}

export function nanosOfMs(ms: number): bigint {
  return BigInt(ms) * NANOS_PER_MS;
}

/** Returns the UTC hour containing `ms`, as `YYYY-MM-DDTHH`. */
export function hourBucket(ms: number): string {
  const hourStart = Math.floor(ms / MS_PER_HOUR) * MS_PER_HOUR;
  return new Date(hourStart).toISOString().slice(0, 13);
}

/**
 * Lists the hour buckets that [startMs, endMs) touches, newest first,
 * and none for an empty range.
 */
export function hourBuckets(startMs: number, endMs: number): string[] {
  const buckets: string[] = [];
  if (endMs <= startMs) return buckets;
  const first = Math.floor(startMs / MS_PER_HOUR);
  const last = Math.floor((endMs - 1) / MS_PER_HOUR);
  for (let hour = last; hour >= first; hour -= 1) {
    buckets.push(hourBucket(hour * MS_PER_HOUR));
  }
  return buckets;
}

/** Hashes an id to a shard in [0, shards) with FNV-1a over UTF-16 units. */
export function shardOf(id: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i += 1) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

/** Epoch seconds at which an item with this event time expires. */
export function expiresAt(eventMs: number, retentionDays: number): number {
  return Math.floor(eventMs / 1000) + retentionDays * 86_400;
}

export const traceKey = (traceId: string) => `TRACE#${traceId}`;
export const SPAN_PREFIX = 'SPAN#';
export const SUMMARY_PREFIX = 'SUMMARY#';
export const EDGE_PREFIX = 'EDGE#';
export const SERVICES_KEY = 'SERVICES';
export const SERVICE_PREFIX = 'SERVICE#';

export function spanIndexKey(
  service: string,
  hour: string,
  shard: number,
): string {
  return `SPANS#${service}#${hour}#${shard}`;
}

export function traceIndexKey(service: string, hour: string): string {
  return `TRACES#${service}#${hour}`;
}

export function edgeIndexKey(hour: string, shard: number): string {
  return `EDGES#${hour}#${shard}`;
}

/** Sort key of a trace in `traces_by_service`: start, then trace id. */
export function traceIndexSortKey(startNanos: bigint, traceId: string) {
  return `${padNanos(startNanos)}#${traceId}`;
}

export const configKey = (kind: string) => `CONFIG#${kind}`;
