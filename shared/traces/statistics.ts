import type { Deps } from '#shared/deps.js';
import { isoFromMs } from '#shared/model/time.js';
import type { DurationStats, SpanGroupStats } from '#shared/store/ports.js';
import type { StatisticsQuery } from './statistics-query.js';

const NANOS_PER_MS = 1e6;

const msOrNull = (nanos: number | null) =>
  nanos === null ? null : nanos / NANOS_PER_MS;

/** Converts durations to milliseconds, keeping null as null. */
function latencyMs(duration: DurationStats) {
  return {
    min: msOrNull(duration.min_nano),
    max: msOrNull(duration.max_nano),
    mean: msOrNull(duration.mean_nano),
    p50: msOrNull(duration.p50_nano),
    p90: msOrNull(duration.p90_nano),
    p95: msOrNull(duration.p95_nano),
    p99: msOrNull(duration.p99_nano),
  };
}

/** Divides errors by spans; null when there are no spans, never NaN. */
function errorRate(stats: SpanGroupStats): number | null {
  return stats.span_count === 0 ? null : stats.error_count / stats.span_count;
}

/**
 * Renders one group's statistics. Each span is a request, and the rate
 * is requests per second over the whole range. `measured_count` is the
 * number of spans with a known duration, which the latency covers.
 */
function groupView(stats: SpanGroupStats, rangeSeconds: number) {
  return {
    request_count: stats.span_count,
    requests_per_second: stats.span_count / rangeSeconds,
    error_count: stats.error_count,
    error_rate: errorRate(stats),
    measured_count: stats.duration.count,
    latency_ms: latencyMs(stats.duration),
  };
}

/**
 * Computes the body of `GET /traces/service/{service_id}/statistics`: per
 * operation (span name) of the service and in total, over spans that
 * start in [start, end).
 */
export async function serviceStatistics(
  deps: Deps,
  service: string,
  query: StatisticsQuery,
) {
  const result = await deps.stores.traces.operationStats({
    service,
    ...query,
  });
  const rangeSeconds = (query.end_ms - query.start_ms) / 1000;
  return {
    service,
    start: isoFromMs(query.start_ms),
    end: isoFromMs(query.end_ms),
    range_seconds: rangeSeconds,
    ...(query.span_kinds ? { span_kinds: query.span_kinds } : {}),
    total: groupView(result.total, rangeSeconds),
    operations: result.operations.map((operation) => ({
      operation: operation.operation,
      ...groupView(operation, rangeSeconds),
    })),
  };
}
