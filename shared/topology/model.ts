import type { Span, StatusCode } from '../model/span.js';

/**
 * The fields of a stored span that a call between services derives from.
 * A whole {@link Span} has all of them, so spans can be passed as they are.
 */
export type EdgeSpan = Pick<
  Span,
  | 'trace_id'
  | 'span_id'
  | 'parent_span_id'
  | 'service'
  | 'start_time_unix_nano'
  | 'duration_nano'
  | 'clock_skew'
  | 'incomplete'
> & { status: { code: StatusCode } };

/**
 * One call between two services seen in a trace: a span (the child) whose
 * parent span runs in another service. Its key is the trace id and the
 * child's span id, so a span sent again maps to the same observation.
 */
export interface EdgeObservation {
  trace_id: string;
  child_span_id: string;
  /** Service of the parent span: the caller. */
  source: string;
  /** Service of the child span: the callee. */
  target: string;
  /** Start of the child span, epoch nanoseconds. */
  time_unix_nano: bigint;
  /**
   * Duration of the child span in nanoseconds; null when the child has
   * clock skew or no end time, so it never enters latency percentiles.
   */
  duration_nano: bigint | null;
  /** Either span of the pair has status error. */
  failed: boolean;
}

/** Observed calls from one service to another over a time range. */
export interface EdgeStats {
  source: string;
  target: string;
  call_count: number;
  error_count: number;
  /**
   * 95th percentile of the known call durations in nanoseconds, as
   * `percentile` in shared/model/percentile.ts defines it. It is null when
   * no call in the range has a known duration.
   */
  p95_duration_nano: number | null;
}

/** A service that has sent spans, with the span start times seen. */
export interface ObservedService {
  service: string;
  /** Earliest span start seen, epoch milliseconds. */
  first_seen_ms: number;
  /** Latest span start seen, epoch milliseconds. */
  last_seen_ms: number;
}
