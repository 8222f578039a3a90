import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Span, TraceSummary } from '../../../model/span.js';
import {
  decodeTraceCursor,
  encodeTraceCursor,
} from '../../../traces/cursor.js';
import type { Page, TraceListQuery } from '../../ports.js';
import { CONCURRENCY, mapLimit } from './batch.js';
import {
  hourBucket,
  hourBuckets,
  msOfNanos,
  nanosOfMs,
  padNanos,
  TRACES_BY_SERVICE,
  traceIndexKey,
  traceIndexSortKey,
} from './keys.js';
import { queryPage } from './query.js';
import { spanListsTrace } from './span-match.js';
import { type SummaryItem, summaryFromItem } from './trace-summary.js';

/** Hours whose first page is queried at once while a list is read. */
const PREFETCH_HOURS = 6;

/** Sorts after every trace id, which is lower-case hex. */
const AFTER_TRACE_IDS = '~';

export interface ListContext {
  client: DynamoDBDocumentClient;
  table: string;
  /** All stored spans of a trace. */
  loadTrace(traceId: string): Promise<Span[]>;
}

/** Sort key bounds, inclusive, and the hours to read, newest first. */
export interface ListBounds {
  low: string;
  high: string;
  /** A sort key to leave out: the last trace of the previous page. */
  exclude?: string;
  hours: string[];
}

/**
 * Works out what to read for a list: trace starts in [start_ms, end_ms),
 * below the cursor's position when there is one. Returns undefined when
 * nothing can match.
 */
export function listBounds(query: TraceListQuery): ListBounds | undefined {
  if (query.end_ms <= query.start_ms) return undefined;
  const low = padNanos(nanosOfMs(query.start_ms));
  let high = `${padNanos(nanosOfMs(query.end_ms) - 1n)}#${AFTER_TRACE_IDS}`;
  let hours = hourBuckets(query.start_ms, query.end_ms);
  if (!query.cursor) return { low, high, hours };

  const cursor = decodeTraceCursor(query.cursor);
  const exclude = traceIndexSortKey(
    cursor.start_time_unix_nano,
    cursor.trace_id,
  );
  if (exclude < low) return undefined;
  if (exclude < high) high = exclude;
  const cursorHour = hourBucket(msOfNanos(cursor.start_time_unix_nano));
  hours = hours.filter((hour) => hour <= cursorHour);
  return { low, high, exclude, hours };
}

type Verdict = 'match' | 'no match' | 'read trace';

/**
 * Decides from a summary item alone whether its trace is listed, or
 * whether the trace's spans must be read: when some but not all of the
 * service's spans start in the range, when attributes are filtered, or
 * when the operation is not among the names the item lists.
 */
export function judgeSummary(
  item: SummaryItem,
  query: TraceListQuery,
): Verdict {
  const duration = BigInt(item.duration_ns);
  if (query.min_duration_nano !== undefined) {
    if (duration < query.min_duration_nano) return 'no match';
  }
  if (query.max_duration_nano !== undefined) {
    if (duration > query.max_duration_nano) return 'no match';
  }
  if (query.errors_only && item.error_count === 0) return 'no match';

  const first = BigInt(item.first_start_ns);
  const last = BigInt(item.last_start_ns);
  const start = nanosOfMs(query.start_ms);
  const end = nanosOfMs(query.end_ms);
  if (last < start || first >= end) return 'no match';
  const listed = query.operation && item.operations.includes(query.operation);
  if (query.operation && !listed && item.operations_complete) {
    return 'no match';
  }
  const filtersAttributes = Object.keys(query.attributes ?? {}).length > 0;
  const allInRange = first >= start && last < end;
  if (filtersAttributes || !allInRange) return 'read trace';
  return query.operation === undefined || listed ? 'match' : 'read trace';
}

/** Reads summary items of the service, newest first, hour after hour. */
async function* summariesNewestFirst(
  context: ListContext,
  query: TraceListQuery,
  bounds: ListBounds,
  pageSize: number,
): AsyncGenerator<SummaryItem> {
  const page = (hour: string, from?: Record<string, unknown>) =>
    queryPage<SummaryItem>(
      context.client,
      {
        TableName: context.table,
        IndexName: TRACES_BY_SERVICE,
        KeyConditionExpression:
          'trace_index_pk = :pk AND trace_index_sk BETWEEN :low AND :high',
        ExpressionAttributeValues: {
          ':pk': traceIndexKey(query.service, hour),
          ':low': bounds.low,
          ':high': bounds.high,
        },
        ScanIndexForward: false,
        Limit: pageSize,
      },
      from,
    );

  for (let i = 0; i < bounds.hours.length; i += PREFETCH_HOURS) {
    const hours = bounds.hours.slice(i, i + PREFETCH_HOURS);
    const firstPages = hours.map((hour) => page(hour));
    // A list that fills early never awaits the rest: keep them quiet.
    for (const pending of firstPages) pending.catch(() => undefined);
    for (const [index, hour] of hours.entries()) {
      let current = await (firstPages[index] as ReturnType<typeof page>);
      yield* current.items;
      while (current.next) {
        current = await page(hour, current.next);
        yield* current.items;
      }
    }
  }
}

async function traceListed(
  context: ListContext,
  item: SummaryItem,
  query: TraceListQuery,
): Promise<boolean> {
  const verdict = judgeSummary(item, query);
  if (verdict !== 'read trace') return verdict === 'match';
  const spans = await context.loadTrace(item.trace_id);
  return spans.some((span) => spanListsTrace(span, query));
}

/**
 * Lists a service's traces from `traces_by_service`, newest first by
 * trace start, then trace id. Items are judged a page at a time, reading
 * the traces that need it in parallel.
 *
 * NOTE: a trace is found under its start, so one that started before the
 * range is left out even when a span of the service starts inside it;
 * the DuckDB store lists such a trace.
 */
export async function listTraces(
  context: ListContext,
  query: TraceListQuery,
): Promise<Page<TraceSummary>> {
  const bounds = listBounds(query);
  if (!bounds) return { items: [] };
  const wanted = query.limit + 1;
  const found: TraceSummary[] = [];
  let batch: SummaryItem[] = [];

  const judgeBatch = async () => {
    const listed = await mapLimit(batch, CONCURRENCY, (item) =>
      traceListed(context, item, query),
    );
    for (const [index, item] of batch.entries()) {
      if (listed[index] && found.length < wanted) {
        found.push(summaryFromItem(item));
      }
    }
    batch = [];
  };

  for await (const item of summariesNewestFirst(
    context,
    query,
    bounds,
    wanted,
  )) {
    if (item.trace_index_sk === bounds.exclude) continue;
    batch.push(item);
    if (batch.length >= wanted - found.length) await judgeBatch();
    if (found.length >= wanted) break;
  }
  if (found.length < wanted) await judgeBatch();

  const items = found.slice(0, query.limit);
  const last = items.at(-1);
  if (found.length <= query.limit || !last) return { items };
  return { items, next_cursor: encodeTraceCursor(last) };
}
