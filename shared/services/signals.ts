import { isoFromMs } from '../model/time.js';
import type { SpanGroupStats, TraceStore } from '../store/ports.js';
import type { TimeWindow } from './window.js';

/** Converts nanoseconds to milliseconds, rounded to the microsecond. */
export function msFromNanoseconds(nanos: number | null): number | null {
  return nanos === null ? null : Math.round(nanos / 1_000) / 1_000;
}

/** The golden signals of a service over a window, as the API returns them. */
export interface GoldenSignals {
  window: string;
  start: string;
  end: string;
  /** The spans counted: server and consumer spans, or root spans. */
  basis: 'server' | 'root';
  request_count: number;
  /** Requests per second over the whole window. */
  request_rate: number;
  /** Share of requests that failed, 0 to 1, or null without requests. */
  error_rate: number | null;
  latency_ms: { p50: number | null; p95: number | null; p99: number | null };
}

/**
 * Picks the spans that stand for requests the service handled: its server
 * and consumer spans when it has any in the window, else its spans that
 * name no parent (a batch job or a script has no server spans).
 */
async function entrySpans(
  traces: TraceStore,
  service: string,
  window: TimeWindow,
): Promise<{ basis: 'server' | 'root'; stats: SpanGroupStats }> {
  const range = { service, start_ms: window.start_ms, end_ms: window.end_ms };
  const served = await traces.operationStats({
    ...range,
    span_kinds: ['server', 'consumer'],
  });
  if (served.total.span_count > 0) {
    return { basis: 'server', stats: served.total };
  }
  const roots = await traces.operationStats({ ...range, roots_only: true });
  return { basis: 'root', stats: roots.total };
}

/**
 * Computes request rate, error rate and latency percentiles of a service
 * from its entry spans. Spans with clock skew or no end time count as
 * requests but not in latency; percentiles follow `percentile` in
 * shared/model/percentile.ts.
 */
export async function goldenSignals(
  traces: TraceStore,
  service: string,
  window: TimeWindow,
): Promise<GoldenSignals> {
  const { basis, stats } = await entrySpans(traces, service, window);
  const seconds = (window.end_ms - window.start_ms) / 1_000;
  const count = stats.span_count;
  return {
    window: window.text,
    start: isoFromMs(window.start_ms),
    end: isoFromMs(window.end_ms),
    basis,
    request_count: count,
    request_rate: count / seconds,
    error_rate: count === 0 ? null : stats.error_count / count,
    latency_ms: {
      p50: msFromNanoseconds(stats.duration.p50_nano),
      p95: msFromNanoseconds(stats.duration.p95_nano),
      p99: msFromNanoseconds(stats.duration.p99_nano),
    },
  };
}
