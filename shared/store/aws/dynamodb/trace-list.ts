import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Span, TraceSummary } from '../../../model/span.js';
import {
  decodeTraceCursor,
  encodeTraceCursor,
} from '../../../traces/cursor.js';
import type { Page, TraceListQuery } from '../../ports.js';
import { CONCURRENCY, mapLimit } from './batch.js';
import {
  hourBuckets,
  nanosOfMs,
  TRACES_BY_SERVICE,
  traceIndexKey,
  traceIndexSortKey,
} from './keys.js';
import { queryPage } from './query.js';
import { spanListsTrace } from './span-match.js';
import { type SummaryItem, summaryFromItem } from './trace-summary.js';

export interface ListContext {
  client: DynamoDBDocumentClient;
  table: string;
  /** All stored spans of a trace. */
  loadTrace(traceId: string): Promise<Span[]>;
}

/** The hours to read, newest first, and the sort key to read below. */
export interface ListBounds {
  hours: string[];
  /** The last trace of the previous page, as a sort key. */
  before?: string;
}

/**
 * Works out what to read for a list: the hours of [start_ms, end_ms), and
 * the cursor's position when there is one. Returns undefined for an empty
 * range.
 */
export function listBounds(query: TraceListQuery): ListBounds | undefined {
  if (query.end_ms <= query.start_ms) return undefined;
  const hours = hourBuckets(query.start_ms, query.end_ms);
  if (!query.cursor) return { hours };
  const cursor = decodeTraceCursor(query.cursor);
  const before = traceIndexSortKey(
    cursor.start_time_unix_nano,
    cursor.trace_id,
  );
  return { hours, before };
}

export type Verdict = 'match' | 'no match' | 'read trace';

/**
 * Decides from one summary item whether its trace is listed, or whether
 * the trace's spans must be read. They must be read when only some of the
 * item's spans start in the range, when attributes are filtered, or when
 * the operation is not among the names the item lists.
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

/** Combines the verdicts of one trace's items from several hours. */
export function judgeGroup(verdicts: Verdict[]): Verdict {
  if (verdicts.includes('match')) return 'match';
  return verdicts.includes('read trace') ? 'read trace' : 'no match';
}

/** The summary items of one hour, read a page at a time, newest first. */
interface HourReader {
  hour: string;
  items: SummaryItem[];
  next?: Record<string, unknown>;
  started: boolean;
}

function readMore(
  context: ListContext,
  query: TraceListQuery,
  bounds: ListBounds,
  pageSize: number,
) {
  return async (reader: HourReader) => {
    const page = await queryPage<SummaryItem>(
      context.client,
      {
        TableName: context.table,
        IndexName: TRACES_BY_SERVICE,
        KeyConditionExpression: bounds.before
          ? 'trace_index_pk = :pk AND trace_index_sk < :before'
          : 'trace_index_pk = :pk',
        ExpressionAttributeValues: {
          ':pk': traceIndexKey(query.service, reader.hour),
          ...(bounds.before ? { ':before': bounds.before } : {}),
        },
        ScanIndexForward: false,
        Limit: pageSize,
      },
      reader.next,
    );
    reader.items.push(...page.items);
    reader.next = page.next;
    reader.started = true;
  };
}

/**
 * Merges the hours of the range into one sequence, newest trace first,
 * and yields the items of each trace together. A trace appears in every
 * hour in which spans of the service start, and the hours overlap in
 * trace start, so every hour is read side by side.
 */
async function* tracesNewestFirst(
  context: ListContext,
  query: TraceListQuery,
  bounds: ListBounds,
  pageSize: number,
): AsyncGenerator<SummaryItem[]> {
  const readers: HourReader[] = bounds.hours.map((hour) => ({
    hour,
    items: [],
    started: false,
  }));
  const fill = readMore(context, query, bounds, pageSize);
  for (;;) {
    const due = readers.filter(
      (r) => r.items.length === 0 && (!r.started || r.next),
    );
    await mapLimit(due, CONCURRENCY, fill);

    let newest: string | undefined;
    for (const reader of readers) {
      const key = reader.items[0]?.trace_index_sk;
      if (key !== undefined && (newest === undefined || key > newest)) {
        newest = key;
      }
    }
    if (newest === undefined) return;
    yield readers
      .filter((reader) => reader.items[0]?.trace_index_sk === newest)
      .map((reader) => reader.items.shift() as SummaryItem);
  }
}

async function traceListed(
  context: ListContext,
  items: SummaryItem[],
  query: TraceListQuery,
): Promise<boolean> {
  const verdict = judgeGroup(items.map((item) => judgeSummary(item, query)));
  if (verdict !== 'read trace') return verdict === 'match';
  const traceId = (items[0] as SummaryItem).trace_id;
  const spans = await context.loadTrace(traceId);
  return spans.some((span) => spanListsTrace(span, query));
}

/**
 * Lists a service's traces from `traces_by_service`, newest first by
 * trace start, then trace id. Traces are judged a page at a time, reading
 * the traces that need it in parallel.
 *
 * NOTE: every hour of the range is queried, so a list over a long range
 * costs at least one Query per hour even when few traces match.
 */
export async function listTraces(
  context: ListContext,
  query: TraceListQuery,
): Promise<Page<TraceSummary>> {
  const bounds = listBounds(query);
  if (!bounds) return { items: [] };
  const wanted = query.limit + 1;
  const found: TraceSummary[] = [];
  let batch: SummaryItem[][] = [];

  const judgeBatch = async () => {
    const listed = await mapLimit(batch, CONCURRENCY, (items) =>
      traceListed(context, items, query),
    );
    for (const [index, items] of batch.entries()) {
      if (listed[index] && found.length < wanted) {
        found.push(summaryFromItem(items[0] as SummaryItem));
      }
    }
    batch = [];
  };

  const traces = tracesNewestFirst(context, query, bounds, wanted);
  for await (const items of traces) {
    batch.push(items);
    if (batch.length >= wanted - found.length) await judgeBatch();
    if (found.length >= wanted) break;
  }
  if (found.length < wanted) await judgeBatch();

  const items = found.slice(0, query.limit);
  const last = items.at(-1);
  if (found.length <= query.limit || !last) return { items };
  return { items, next_cursor: encodeTraceCursor(last) };
}
