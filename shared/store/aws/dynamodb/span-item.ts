import type { Attributes } from '../../../model/attributes.js';
import type {
  InstrumentationScope,
  Span,
  SpanEvent,
  SpanKind,
  SpanLink,
  StatusCode,
} from '../../../model/span.js';
import {
  expiresAt,
  hourBucket,
  msOfNanos,
  padNanos,
  SPAN_INDEX_SHARDS,
  SPAN_PREFIX,
  shardOf,
  spanIndexKey,
  traceKey,
} from './keys.js';

/**
 * A span as stored: the fields that queries filter on as top-level
 * attributes, nanosecond times as decimal strings, and the rest as one
 * JSON text (`detail`) with its 64-bit integers as strings too. No value
 * is a bigint or a number past 2^53, so nothing passes through a double.
 */
export interface SpanItem {
  pk: string;
  sk: string;
  trace_id: string;
  span_id: string;
  parent_span_id?: string;
  service: string;
  name: string;
  kind: string;
  status_code: string;
  start_ns: string;
  end_ns: string;
  duration_ns: string;
  clock_skew: boolean;
  incomplete: boolean;
  detail: string;
  span_index_pk: string;
  span_index_sk: string;
  expires_at: number;
}

/** The part of a span kept in `detail`. */
interface SpanDetail {
  trace_state: string;
  status_message: string;
  attributes: Attributes;
  resource: Attributes;
  scope: InstrumentationScope;
  events: (Omit<SpanEvent, 'time_unix_nano'> & { time_unix_nano: string })[];
  links: SpanLink[];
  dropped_attributes_count: number;
  dropped_events_count: number;
  dropped_links_count: number;
}

function detailOf(span: Span): SpanDetail {
  return {
    trace_state: span.trace_state,
    status_message: span.status.message,
    attributes: span.attributes,
    resource: span.resource,
    scope: span.scope,
    events: span.events.map((event) => ({
      ...event,
      time_unix_nano: event.time_unix_nano.toString(),
    })),
    links: span.links,
    dropped_attributes_count: span.dropped_attributes_count,
    dropped_events_count: span.dropped_events_count,
    dropped_links_count: span.dropped_links_count,
  };
}

/** Builds the item of a span, with its index keys and expiry. */
export function spanToItem(span: Span, retentionDays: number): SpanItem {
  const startMs = msOfNanos(span.start_time_unix_nano);
  const shard = shardOf(span.span_id, SPAN_INDEX_SHARDS);
  const item: SpanItem = {
    pk: traceKey(span.trace_id),
    sk: `${SPAN_PREFIX}${span.span_id}`,
    trace_id: span.trace_id,
    span_id: span.span_id,
    service: span.service,
    name: span.name,
    kind: span.kind,
    status_code: span.status.code,
    start_ns: span.start_time_unix_nano.toString(),
    end_ns: span.end_time_unix_nano.toString(),
    duration_ns: span.duration_nano.toString(),
    clock_skew: span.clock_skew,
    incomplete: span.incomplete,
    detail: JSON.stringify(detailOf(span)),
    span_index_pk: spanIndexKey(span.service, hourBucket(startMs), shard),
    span_index_sk:
      `${padNanos(span.start_time_unix_nano)}#` +
      `${span.trace_id}#${span.span_id}`,
    expires_at: expiresAt(startMs, retentionDays),
  };
  if (span.parent_span_id !== null) item.parent_span_id = span.parent_span_id;
  return item;
}

/** Reads a span back from its item. */
export function spanFromItem(item: SpanItem): Span {
  const detail = JSON.parse(item.detail) as SpanDetail;
  return {
    trace_id: item.trace_id,
    span_id: item.span_id,
    parent_span_id: item.parent_span_id ?? null,
    trace_state: detail.trace_state,
    service: item.service,
    name: item.name,
    kind: item.kind as SpanKind,
    start_time_unix_nano: BigInt(item.start_ns),
    end_time_unix_nano: BigInt(item.end_ns),
    duration_nano: BigInt(item.duration_ns),
    clock_skew: item.clock_skew,
    incomplete: item.incomplete,
    status: {
      code: item.status_code as StatusCode,
      message: detail.status_message,
    },
    attributes: detail.attributes,
    resource: detail.resource,
    scope: detail.scope,
    events: detail.events.map((event) => ({
      ...event,
      time_unix_nano: BigInt(event.time_unix_nano),
    })),
    links: detail.links,
    dropped_attributes_count: detail.dropped_attributes_count,
    dropped_events_count: detail.dropped_events_count,
    dropped_links_count: detail.dropped_links_count,
  };
}
