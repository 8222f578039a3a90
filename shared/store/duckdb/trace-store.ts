import {
  type DuckDBAppender,
  type DuckDBConnection,
  type DuckDBListValue,
  listValue,
} from '@duckdb/node-api';
import { StoreError } from '../../errors.js';
import type { Attributes } from '../../model/attributes.js';
import type {
  InstrumentationScope,
  Span,
  SpanEvent,
  SpanKind,
  SpanLink,
  StatusCode,
  TraceSummary,
} from '../../model/span.js';
import { decodeTraceCursor, encodeTraceCursor } from '../../traces/cursor.js';
import type {
  OperationStatsQuery,
  OperationStatsResult,
  Page,
  TraceListQuery,
  TraceStore,
  TraceWriteResult,
  WriteResult,
} from '../ports.js';
import type { DuckDb } from './database.js';
import { queryOperationStats } from './operation-stats.js';
import { initTraceBounds, recordTraceBounds } from './trace-bounds.js';
import { listTraceRows } from './trace-list-rounds.js';
import { readRelatedSpans, SPAN_WINDOW, startRange } from './trace-related.js';

/**
 * One row per span, keyed by trace and span id. DuckDB 1.5 does not use
 * the primary key's index for a lookup by trace id alone, so trace reads
 * scan the `trace_id` column. Listing a service's traces filters on
 * `start_time_unix_nano`: spans arrive roughly in time order, so DuckDB's
 * per-row-group min/max statistics on that column skip row groups outside
 * the requested range. Attribute maps keep OTLP's typed `AnyValue` form,
 * with 64-bit integers as strings so they stay exact.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS spans (
  trace_id VARCHAR NOT NULL,
  span_id VARCHAR NOT NULL,
  parent_span_id VARCHAR,
  trace_state VARCHAR NOT NULL,
  service VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  kind VARCHAR NOT NULL,
  start_time_unix_nano BIGINT NOT NULL,
  end_time_unix_nano BIGINT NOT NULL,
  duration_nano BIGINT NOT NULL,
  clock_skew BOOLEAN NOT NULL,
  incomplete BOOLEAN NOT NULL,
  status_code VARCHAR NOT NULL,
  status_message VARCHAR NOT NULL,
  attributes JSON NOT NULL,
  resource JSON NOT NULL,
  scope JSON NOT NULL,
  events JSON NOT NULL,
  links JSON NOT NULL,
  dropped_attributes_count INTEGER NOT NULL,
  dropped_events_count INTEGER NOT NULL,
  dropped_links_count INTEGER NOT NULL,
  PRIMARY KEY (trace_id, span_id)
)`;

const COLUMNS = [
  'trace_id',
  'span_id',
  'parent_span_id',
  'trace_state',
  'service',
  'name',
  'kind',
  'start_time_unix_nano',
  'end_time_unix_nano',
  'duration_nano',
  'clock_skew',
  'incomplete',
  'status_code',
  'status_message',
  'attributes',
  'resource',
  'scope',
  'events',
  'links',
  'dropped_attributes_count',
  'dropped_events_count',
  'dropped_links_count',
].join(', ');

/** The batch being written, in request order (`seq`). JSON as text. */
const STAGING = `
CREATE TEMP TABLE IF NOT EXISTS spans_staging AS
SELECT 0::INTEGER AS seq, * REPLACE (
  attributes::VARCHAR AS attributes, resource::VARCHAR AS resource,
  scope::VARCHAR AS scope, events::VARCHAR AS events,
  links::VARCHAR AS links
) FROM spans LIMIT 0`;

/**
 * Copies staged spans that are not stored yet; of two staged spans with the
 * same key, the earlier in the batch wins. A stored span with a staged key
 * belongs to the same trace, so its start lies in `span_window`, whatever
 * start the staged copy carries, and the anti-join reads only the row
 * groups of that window. `INSERT OR IGNORE` joined the batch to the ids
 * of every stored row instead, so its cost grew with the table.
 *
 * Should the bounds ever miss a stored span, the primary key rejects the
 * insert and the transaction rolls back: no span is replaced or dropped.
 */
const INSERT_NEW = `${SPAN_WINDOW}
INSERT INTO spans (${COLUMNS})
SELECT ${COLUMNS} FROM spans_staging s
WHERE NOT EXISTS (
  SELECT 1 FROM spans t, span_window w
  WHERE t.start_time_unix_nano BETWEEN w.first_start AND w.last_start
    AND t.trace_id = s.trace_id AND t.span_id = s.span_id
)
QUALIFY row_number() OVER (PARTITION BY trace_id, span_id ORDER BY seq) = 1`;

/** Writes JSON with bigint values as decimal strings. */
function jsonText(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'bigint' ? item.toString() : item,
  );
}

function appendSpan(appender: DuckDBAppender, seq: number, span: Span) {
  appender.appendInteger(seq);
  appender.appendVarchar(span.trace_id);
  appender.appendVarchar(span.span_id);
  if (span.parent_span_id === null) appender.appendNull();
  else appender.appendVarchar(span.parent_span_id);
  appender.appendVarchar(span.trace_state);
  appender.appendVarchar(span.service);
  appender.appendVarchar(span.name);
  appender.appendVarchar(span.kind);
  appender.appendBigInt(span.start_time_unix_nano);
  appender.appendBigInt(span.end_time_unix_nano);
  appender.appendBigInt(span.duration_nano);
  appender.appendBoolean(span.clock_skew);
  appender.appendBoolean(span.incomplete);
  appender.appendVarchar(span.status.code);
  appender.appendVarchar(span.status.message);
  appender.appendVarchar(jsonText(span.attributes));
  appender.appendVarchar(jsonText(span.resource));
  appender.appendVarchar(jsonText(span.scope));
  appender.appendVarchar(jsonText(span.events));
  appender.appendVarchar(jsonText(span.links));
  appender.appendInteger(span.dropped_attributes_count);
  appender.appendInteger(span.dropped_events_count);
  appender.appendInteger(span.dropped_links_count);
  appender.endRow();
}

async function stage(connection: DuckDBConnection, spans: Span[]) {
  await connection.run(STAGING);
  await connection.run('DELETE FROM spans_staging');
  const appender = await connection.createAppender(
    'spans_staging',
    'main',
    'temp',
  );
  try {
    for (const [seq, span] of spans.entries()) appendSpan(appender, seq, span);
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

interface SpanRow {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  trace_state: string;
  service: string;
  name: string;
  kind: string;
  start_time_unix_nano: bigint;
  end_time_unix_nano: bigint;
  duration_nano: bigint;
  clock_skew: boolean;
  incomplete: boolean;
  status_code: string;
  status_message: string;
  attributes: string;
  resource: string;
  scope: string;
  events: string;
  links: string;
  dropped_attributes_count: number;
  dropped_events_count: number;
  dropped_links_count: number;
}

type StoredEvent = Omit<SpanEvent, 'time_unix_nano'> & {
  time_unix_nano: string;
};

function spanFromRow(row: SpanRow): Span {
  const events = JSON.parse(row.events) as StoredEvent[];
  return {
    trace_id: row.trace_id,
    span_id: row.span_id,
    parent_span_id: row.parent_span_id,
    trace_state: row.trace_state,
    service: row.service,
    name: row.name,
    kind: row.kind as SpanKind,
    start_time_unix_nano: row.start_time_unix_nano,
    end_time_unix_nano: row.end_time_unix_nano,
    duration_nano: row.duration_nano,
    clock_skew: row.clock_skew,
    incomplete: row.incomplete,
    status: {
      code: row.status_code as StatusCode,
      message: row.status_message,
    },
    attributes: JSON.parse(row.attributes) as Attributes,
    resource: JSON.parse(row.resource) as Attributes,
    scope: JSON.parse(row.scope) as InstrumentationScope,
    events: events.map((event) => ({
      ...event,
      time_unix_nano: BigInt(event.time_unix_nano),
    })),
    links: JSON.parse(row.links) as SpanLink[],
    dropped_attributes_count: row.dropped_attributes_count,
    dropped_events_count: row.dropped_events_count,
    dropped_links_count: row.dropped_links_count,
  };
}

interface SummaryRow {
  trace_id: string;
  root_service: string;
  root_name: string;
  start_time_unix_nano: bigint;
  duration_nano: bigint;
  span_count: bigint;
  error_count: bigint;
  services: DuckDBListValue;
}

function summaryFromRow(row: SummaryRow): TraceSummary {
  return {
    ...row,
    span_count: Number(row.span_count),
    error_count: Number(row.error_count),
    services: row.services.items.map(String),
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The trace store on embedded DuckDB. */
export class DuckDbTraceStore implements TraceStore {
  constructor(private readonly db: DuckDb) {}

  async init(): Promise<void> {
    await this.db.exec(SCHEMA);
    await initTraceBounds(this.db);
  }

  async write(spans: Span[]): Promise<WriteResult> {
    const { written, duplicates } = await this.insert(spans, false);
    return { written, duplicates, rejected: [] };
  }

  async writeWithRelated(spans: Span[]): Promise<TraceWriteResult> {
    const { written, duplicates, related } = await this.insert(spans, true);
    return { written, duplicates, rejected: [], related };
  }

  /** Inserts new spans and, when asked, reads the related ones back. */
  private async insert(spans: Span[], withRelated: boolean) {
    if (spans.length === 0) return { written: 0, duplicates: 0, related: [] };
    try {
      return await this.db.transaction(async (connection) => {
        await stage(connection, spans);
        // The window needs the bounds widened with the batch.
        await recordTraceBounds(connection);
        const { rowsChanged: written } = await connection.run(
          INSERT_NEW,
          startRange(spans),
        );
        const related = withRelated
          ? await readRelatedSpans(connection, spans)
          : [];
        await connection.run('DELETE FROM spans_staging');
        return { written, duplicates: spans.length - written, related };
      });
    } catch (error) {
      throw new StoreError(`writing spans failed: ${describe(error)}`, error);
    }
  }

  async getTrace(traceId: string): Promise<Span[]> {
    const rows = await this.db.query<SpanRow>(
      `SELECT * REPLACE (
         attributes::VARCHAR AS attributes, resource::VARCHAR AS resource,
         scope::VARCHAR AS scope, events::VARCHAR AS events,
         links::VARCHAR AS links)
       FROM spans WHERE trace_id = $1`,
      [traceId],
    );
    return rows.map(spanFromRow);
  }

  /**
   * Joins the ids to the table: on 2 million spans (DuckDB 1.5, 100 ids)
   * this ran 1.5 times faster than `IN (SELECT ...)` and 5 times faster
   * than `list_contains`.
   */
  async getTraces(traceIds: string[]): Promise<Span[]> {
    if (traceIds.length === 0) return [];
    const rows = await this.db.query<SpanRow>(
      `SELECT s.* REPLACE (
         s.attributes::VARCHAR AS attributes, s.resource::VARCHAR AS resource,
         s.scope::VARCHAR AS scope, s.events::VARCHAR AS events,
         s.links::VARCHAR AS links)
       FROM (SELECT DISTINCT unnest($1::VARCHAR[]) AS trace_id) ids
       JOIN spans s ON s.trace_id = ids.trace_id`,
      [listValue(traceIds)],
    );
    return rows.map(spanFromRow);
  }

  async listTraces(query: TraceListQuery): Promise<Page<TraceSummary>> {
    const cursor = query.cursor ? decodeTraceCursor(query.cursor) : undefined;
    const rows = await listTraceRows<SummaryRow>(this.db, query, cursor);
    const items = rows.slice(0, query.limit).map(summaryFromRow);
    const last = items.at(-1);
    if (rows.length <= query.limit || !last) return { items };
    return { items, next_cursor: encodeTraceCursor(last) };
  }

  operationStats(query: OperationStatsQuery): Promise<OperationStatsResult> {
    return queryOperationStats(this.db, query);
  }
}
