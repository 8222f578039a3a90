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

/** The request signals of a service over a time range. */
export interface ServiceSignals {
  /**
   * The spans counted as requests: the service's server and consumer
   * spans (`server`) or, when it has none in the range, its spans that
   * name no parent (`root`).
   */
  basis: 'server' | 'root';
  request_count: number;
  /** Requests per second over the whole range. */
  request_rate: number;
  error_count: number;
  /** Errors over requests; null when there are no requests. */
  error_rate: number | null;
  /** Latency percentiles in ms, null when no request has a duration. */
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
}

function signalsOf(
  basis: ServiceSignals['basis'],
  stats: SpanGroupStats,
  rangeMs: number,
): ServiceSignals {
  return {
    basis,
    request_count: stats.span_count,
    request_rate: stats.span_count / (rangeMs / 1000),
    error_count: stats.error_count,
    error_rate: errorRate(stats),
    p50_ms: msOrNull(stats.duration.p50_nano),
    p95_ms: msOrNull(stats.duration.p95_nano),
    p99_ms: msOrNull(stats.duration.p99_nano),
  };
}

/**
 * Computes a service's request rate, error rate and latency percentiles
 * over spans starting in [startMs, endMs), from its server and consumer
 * spans, or from its root spans when it has none of those. Percentiles
 * follow `percentile` in shared/model/percentile.ts.
 */
export async function serviceSignals(
  deps: Deps,
  service: string,
  startMs: number,
  endMs: number,
): Promise<ServiceSignals> {
  if (!(endMs > startMs)) {
    throw new RangeError(
      `invalid range: start ${startMs} is not before end ${endMs}`,
    );
  }
  const range = { service, start_ms: startMs, end_ms: endMs };
  const servers = await deps.stores.traces.operationStats({
    ...range,
    span_kinds: ['server', 'consumer'],
  });
  if (servers.total.span_count > 0) {
    return signalsOf('server', servers.total, endMs - startMs);
  }
  const roots = await deps.stores.traces.operationStats({
    ...range,
    roots_only: true,
  });
  return signalsOf('root', roots.total, endMs - startMs);
}
