import type { Span, TraceSummary } from '../../../model/span.js';
import { traceExtent } from '../../../traces/assemble.js';
import {
  expiresAt,
  hourBucket,
  msOfNanos,
  SUMMARY_PREFIX,
  traceIndexKey,
  traceIndexSortKey,
  traceKey,
} from './keys.js';

/** Maximum number of operation names a summary item lists. */
export const MAX_SUMMARY_OPERATIONS = 100;
/** Maximum total bytes of the operation names a summary item lists. */
export const MAX_SUMMARY_OPERATION_BYTES = 16 * 1024;

/**
 * A trace's summary as stored for one of its services and one hour in
 * which spans of that service start, under that service and hour in
 * `traces_by_service`. Besides the trace's summary it carries what a list
 * needs to decide, without reading the trace, whether a span of this
 * service in this hour matches: their first and last start, and their
 * distinct names while they fit. `operations_complete` is true when all
 * are listed.
 */
export interface SummaryItem {
  pk: string;
  sk: string;
  trace_index_pk: string;
  trace_index_sk: string;
  trace_id: string;
  service: string;
  root_service: string;
  root_name: string;
  start_ns: string;
  duration_ns: string;
  span_count: number;
  error_count: number;
  services: string[];
  first_start_ns: string;
  last_start_ns: string;
  operations: string[];
  operations_complete: boolean;
  expires_at: number;
}

import { compareText } from './order.js';

/**
 * Orders root candidates: spans whose parent is not in the trace first,
 * among them spans that name no parent, then by start and span id.
 */
function rootOrder(stored: Set<string>) {
  const rank = (span: Span) =>
    (span.parent_span_id !== null && stored.has(span.parent_span_id) ? 2 : 0) +
    (span.parent_span_id !== null ? 1 : 0);
  return (a: Span, b: Span) =>
    rank(a) - rank(b) ||
    (a.start_time_unix_nano < b.start_time_unix_nano
      ? -1
      : a.start_time_unix_nano > b.start_time_unix_nano
        ? 1
        : compareText(a.span_id, b.span_id));
}

/**
 * Summarizes a trace by the rules of trace assembly, as the DuckDB store
 * does: the root is the earliest span whose parent is not stored,
 * preferring spans that name no parent; start and duration follow
 * `traceExtent`. Returns undefined for no spans.
 */
export function summarizeTrace(spans: Span[]): TraceSummary | undefined {
  const stored = new Set(spans.map((span) => span.span_id));
  const root = [...spans].sort(rootOrder(stored))[0];
  if (!root) return undefined;
  const { start, duration } = traceExtent(spans);
  const services = [...new Set(spans.map((span) => span.service))];
  return {
    trace_id: root.trace_id,
    root_service: root.service,
    root_name: root.name,
    start_time_unix_nano: start,
    duration_nano: duration,
    span_count: spans.length,
    error_count: spans.filter((span) => span.status.code === 'error').length,
    services: services.sort(compareText),
  };
}

/** Distinct names of `spans`, cut off where they would exceed the caps. */
function operationsOf(spans: Span[]) {
  const names = [...new Set(spans.map((span) => span.name))].sort(compareText);
  const kept: string[] = [];
  let bytes = 0;
  for (const name of names) {
    bytes += Buffer.byteLength(name, 'utf8');
    if (
      kept.length >= MAX_SUMMARY_OPERATIONS ||
      bytes > MAX_SUMMARY_OPERATION_BYTES
    ) {
      return { operations: kept, operations_complete: false };
    }
    kept.push(name);
  }
  return { operations: kept, operations_complete: true };
}

function startRange(spans: Span[]) {
  let first = spans[0]?.start_time_unix_nano ?? 0n;
  let last = first;
  for (const span of spans) {
    if (span.start_time_unix_nano < first) first = span.start_time_unix_nano;
    if (span.start_time_unix_nano > last) last = span.start_time_unix_nano;
  }
  return { first_start_ns: first.toString(), last_start_ns: last.toString() };
}

function summaryItem(
  summary: TraceSummary,
  group: { service: string; hour: string; spans: Span[] },
  retentionDays: number,
): SummaryItem {
  const startMs = msOfNanos(summary.start_time_unix_nano);
  return {
    pk: traceKey(summary.trace_id),
    sk: `${SUMMARY_PREFIX}${group.service}#${group.hour}`,
    trace_index_pk: traceIndexKey(group.service, group.hour),
    trace_index_sk: traceIndexSortKey(
      summary.start_time_unix_nano,
      summary.trace_id,
    ),
    trace_id: summary.trace_id,
    service: group.service,
    root_service: summary.root_service,
    root_name: summary.root_name,
    start_ns: summary.start_time_unix_nano.toString(),
    duration_ns: summary.duration_nano.toString(),
    span_count: summary.span_count,
    error_count: summary.error_count,
    services: summary.services,
    ...startRange(group.spans),
    ...operationsOf(group.spans),
    expires_at: expiresAt(startMs, retentionDays),
  };
}

/** Groups spans by service and by the UTC hour in which they start. */
function byServiceAndHour(spans: Span[]) {
  const groups = new Map<
    string,
    { service: string; hour: string; spans: Span[] }
  >();
  for (const span of spans) {
    const hour = hourBucket(msOfNanos(span.start_time_unix_nano));
    const key = JSON.stringify([span.service, hour]);
    const group = groups.get(key) ?? { service: span.service, hour, spans: [] };
    group.spans.push(span);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/**
 * Builds one summary item for each service of a trace and each hour in
 * which spans of that service start. An item never moves: its key comes
 * from span starts, which never change, and only its sort key in the
 * index follows the trace start.
 */
export function summaryItems(
  spans: Span[],
  retentionDays: number,
): SummaryItem[] {
  const summary = summarizeTrace(spans);
  if (!summary) return [];
  return byServiceAndHour(spans).map((group) =>
    summaryItem(summary, group, retentionDays),
  );
}

/** Reads the trace summary back from a summary item. */
export function summaryFromItem(item: SummaryItem): TraceSummary {
  return {
    trace_id: item.trace_id,
    root_service: item.root_service,
    root_name: item.root_name,
    start_time_unix_nano: BigInt(item.start_ns),
    duration_nano: BigInt(item.duration_ns),
    span_count: item.span_count,
    error_count: item.error_count,
    services: item.services,
  };
}
