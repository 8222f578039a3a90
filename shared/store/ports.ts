import type { LogLevel, LogQuery, LogRecord } from '../model/log.js';
import type {
  MetricInfo,
  MetricListQuery,
  MetricPoint,
  MetricQuery,
  MetricStatistics,
  MetricStatisticsQuery,
  Series,
} from '../model/metric.js';
import type { Rejection } from '../model/report.js';
import type { Span, SpanKind, TraceSummary } from '../model/span.js';
import type {
  EdgeObservation,
  EdgeSpan,
  EdgeStats,
  ObservedService,
} from '../topology/model.js';

/**
 * What a store did with a batch. `written` counts new items, `duplicates`
 * items already stored by an earlier write (an idempotent no-op), and
 * `rejected` the items the backend refused, by index in the batch.
 */
export interface WriteResult {
  written: number;
  duplicates: number;
  rejected: Rejection[];
}

/** One page of a list, newest first; `next_cursor` when more remain. */
export interface Page<T> {
  items: T[];
  next_cursor?: string;
}

export interface MetricStore {
  /** Stores points; the same series, time and value again is a no-op. */
  write(points: MetricPoint[]): Promise<WriteResult>;
  /**
   * Aggregates matching points into one series per label set, or per
   * `group_by` group, sorted by label text. Increase and rate follow
   * shared/metrics/increase.ts; percentiles of raw values follow
   * shared/model/percentile.ts and those of histograms
   * shared/model/histogram-percentile.ts.
   */
  query(query: MetricQuery): Promise<Series[]>;
  /**
   * Statistics of one metric's points in [start_ms, end_ms), or null when
   * it has none there.
   */
  statistics(query: MetricStatisticsQuery): Promise<MetricStatistics | null>;
  /** Up to `limit` metrics of a service named after `after`, by name. */
  listMetrics(query: MetricListQuery): Promise<MetricInfo[]>;
}

export interface TraceListQuery {
  service: string;
  start_ms: number;
  end_ms: number;
  limit: number;
  cursor?: string;
  /** Only traces lasting at least this long. */
  min_duration_nano?: bigint;
  /** Only traces lasting at most this long. */
  max_duration_nano?: bigint;
  /** Only traces with at least one span whose status is error. */
  errors_only?: boolean;
  /** The matching span of the service must have this name. */
  operation?: string;
  /**
   * The matching span of the service must carry each of these attributes,
   * as a span or resource attribute, equal when compared as text.
   */
  attributes?: Record<string, string>;
}

/**
 * The spans of one service starting in [start_ms, end_ms), for
 * statistics per operation (span name).
 */
export interface OperationStatsQuery {
  service: string;
  start_ms: number;
  end_ms: number;
  /** Only spans of these kinds; spans of every kind when absent. */
  span_kinds?: SpanKind[];
  /** Only spans that name no parent. */
  roots_only?: boolean;
}

/**
 * Span durations in nanoseconds. Only spans with a known duration (no
 * clock skew, not incomplete) count, and every value is null when there
 * are none. Percentiles follow `percentile` in shared/model/percentile.ts
 * (DuckDB's `quantile_cont`).
 */
export interface DurationStats {
  /** Spans with a known duration: the sample the other fields cover. */
  count: number;
  min_nano: number | null;
  max_nano: number | null;
  mean_nano: number | null;
  p50_nano: number | null;
  p90_nano: number | null;
  p95_nano: number | null;
  p99_nano: number | null;
}

/** Counts and durations of a group of spans, each span counted once. */
export interface SpanGroupStats {
  span_count: number;
  /** Spans whose status is error. */
  error_count: number;
  duration: DurationStats;
}

/** Statistics of one operation: the spans with one name. */
export interface OperationStats extends SpanGroupStats {
  operation: string;
}

/**
 * Statistics per operation, sorted by span count (most first) then name,
 * and over all matching spans of the service. The total's percentiles
 * come from all those spans, never from combining the operations'.
 */
export interface OperationStatsResult {
  operations: OperationStats[];
  total: SpanGroupStats;
}

/** The result of `writeWithRelated`: a write's counts and related spans. */
export interface TraceWriteResult extends WriteResult {
  /**
   * Stored spans of the batch's traces, read after the batch was stored.
   * Every stored span that has the trace and span id of a span in the
   * batch is included, and so are its stored parent and stored children.
   * Other spans of those traces may be included too.
   */
  related: EdgeSpan[];
}

export interface TraceStore {
  /** Stores spans; a span whose trace and span id exist is not replaced. */
  write(spans: Span[]): Promise<WriteResult>;
  /**
   * Stores spans as `write` does and returns the stored spans that calls
   * between services in the batch derive from, so topology upkeep needs
   * no read of its own. They are read after the batch is stored, with
   * every write that completed before: of two batches holding a parent
   * and its child, the one stored last returns both spans.
   */
  writeWithRelated(spans: Span[]): Promise<TraceWriteResult>;
  /** All stored spans of a trace, in no particular order. */
  getTrace(traceId: string): Promise<Span[]>;
  /**
   * Traces with a span of the service starting in the range, newest first
   * by trace start, then by trace id; the cursor is a keyset on both.
   */
  listTraces(query: TraceListQuery): Promise<Page<TraceSummary>>;
  /** Counts and durations of a service's spans per operation in a range. */
  operationStats(query: OperationStatsQuery): Promise<OperationStatsResult>;
  /**
   * All stored spans of the given traces, in no particular order. It must
   * see every write that completed before the call (a strongly consistent
   * read).
   */
  getTraces(traceIds: string[]): Promise<Span[]>;
}

/** The filters of a log search, counted over time buckets, not paged. */
export interface LogCountQuery extends Omit<LogQuery, 'limit' | 'cursor'> {
  /**
   * Bucket width in milliseconds, a whole number of seconds. Buckets start
   * at multiples of it since the Unix epoch, so they align in UTC.
   */
  interval_ms: number;
}

/** Number of matching records of one level in one time bucket. */
export interface LogLevelCount {
  /** Start of the bucket, epoch milliseconds. */
  bucket_ms: number;
  level: LogLevel;
  count: number;
}

export interface LogStore {
  /** Stores records; a record whose `log_id` exists is not stored again. */
  write(records: LogRecord[]): Promise<WriteResult>;
  /** Records matching the query, newest first. */
  search(query: LogQuery): Promise<Page<LogRecord>>;
  /** Up to `limit` records of a trace, oldest first. */
  getTraceLogs(traceId: string, limit: number): Promise<LogRecord[]>;
  /**
   * Counts the records matching the query per time bucket and level. Only
   * non-zero counts are returned, in no particular order.
   */
  levelCounts(query: LogCountQuery): Promise<LogLevelCount[]>;
}

/** A stored configuration document (service, alert rule, key and so on). */
export interface ConfigItem<T = unknown> {
  kind: string;
  id: string;
  value: T;
  updated_ms: number;
}

export interface ConfigStore {
  put<T>(kind: string, id: string, value: T): Promise<void>;
  get<T>(kind: string, id: string): Promise<ConfigItem<T> | undefined>;
  /** Items of one kind, ordered by id, paged. */
  list<T>(
    kind: string,
    options: { limit: number; cursor?: string },
  ): Promise<Page<ConfigItem<T>>>;
  /** Removes an item; returns whether it existed. */
  delete(kind: string, id: string): Promise<boolean>;
}

/**
 * Calls between services, derived from spans as they arrive, and the
 * services seen in spans. Edge percentiles follow `percentile` in
 * shared/model/percentile.ts (DuckDB's `quantile_cont`).
 */
export interface TopologyStore {
  /**
   * Stores observations; one whose trace id and child span id are stored
   * is a no-op, because both spans it derives from never change. Returns
   * how many were new.
   */
  recordEdges(observations: EdgeObservation[]): Promise<number>;
  /**
   * Aggregates the observations with a time in [start_ms, end_ms) per
   * source and target, sorted by source then target. `sources` and
   * `targets`, when given, keep only edges with an end in that list.
   */
  edgeStats(query: EdgeStatsQuery): Promise<EdgeStats[]>;
  /** Widens each service's first and last seen times to include these. */
  recordServices(services: ObservedService[]): Promise<void>;
  getService(service: string): Promise<ObservedService | undefined>;
  /** Up to `limit` services named after `after`, sorted by name. */
  listServices(options: {
    after?: string;
    limit: number;
  }): Promise<ObservedService[]>;
}

export interface EdgeStatsQuery {
  start_ms: number;
  end_ms: number;
  sources?: string[];
  targets?: string[];
}

/** The stores every handler works against. */
export interface Stores {
  metrics: MetricStore;
  traces: TraceStore;
  logs: LogStore;
  config: ConfigStore;
  topology: TopologyStore;
  close(): Promise<void>;
}
