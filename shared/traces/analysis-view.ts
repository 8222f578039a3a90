import type { Span } from '#shared/model/span.js';
import type {
  ErrorSpan,
  OtherRoot,
  SpanSelfTime,
  TraceAnalysis,
} from './analysis.js';
import type { CriticalPath } from './analysis-critical-path.js';
import { durationMs, isoFromNanos } from './timestamps.js';

/** Identifies a span in the analysis without repeating all its fields. */
function spanRef(span: Span) {
  return {
    span_id: span.span_id,
    parent_span_id: span.parent_span_id,
    service: span.service,
    name: span.name,
    start_time: isoFromNanos(span.start_time_unix_nano),
    start_time_unix_nano: span.start_time_unix_nano.toString(),
    duration_ms: durationMs(span.duration_nano),
    duration_nano: span.duration_nano.toString(),
  };
}

function selfTimeView(entry: SpanSelfTime) {
  return {
    ...spanRef(entry.span),
    self_time_ms: durationMs(entry.self_nano),
    self_time_nano: entry.self_nano.toString(),
  };
}

function criticalPathView(path: CriticalPath, self: Map<Span, bigint>) {
  const total = path.segments.reduce((sum, s) => sum + s.end - s.start, 0n);
  return {
    duration_ms: durationMs(total),
    duration_nano: total.toString(),
    spans: path.steps.map((step) => ({
      ...selfTimeView({
        span: step.node.span,
        self_nano: self.get(step.node.span) ?? 0n,
      }),
      critical_time_ms: durationMs(step.critical_nano),
      critical_time_nano: step.critical_nano.toString(),
    })),
    segments: path.segments.map((segment) => ({
      span_id: segment.node.span.span_id,
      service: segment.node.span.service,
      name: segment.node.span.name,
      start_time: isoFromNanos(segment.start),
      start_time_unix_nano: segment.start.toString(),
      end_time: isoFromNanos(segment.end),
      end_time_unix_nano: segment.end.toString(),
      duration_ms: durationMs(segment.end - segment.start),
    })),
  };
}

function errorView(error: ErrorSpan) {
  return {
    ...spanRef(error.span),
    status_message: error.span.status.message,
    exceptions: error.exceptions.map((exception) => ({
      type: exception.type,
      message: exception.message,
      stacktrace: exception.stacktrace,
      time: isoFromNanos(exception.time_unix_nano),
      time_unix_nano: exception.time_unix_nano.toString(),
    })),
  };
}

function otherRootView(root: OtherRoot) {
  return {
    ...spanRef(root.node.span),
    span_count: root.span_count,
    missing_parent: root.node.missing_parent,
    parent_cycle: root.node.parent_cycle,
    depth_limited: root.node.depth_limited,
  };
}

/** Renders the body of `GET /traces/{trace_id}/analyze`. */
export function analysisView(analysis: TraceAnalysis) {
  const root = analysis.root.span;
  const self = new Map(analysis.self_times.map((e) => [e.span, e.self_nano]));
  const bottleneck = analysis.bottleneck;
  return {
    trace_id: root.trace_id,
    root_span_id: root.span_id,
    root_service: root.service,
    root_name: root.name,
    span_count: analysis.trace.span_count,
    analyzed_span_count: analysis.tree_span_count,
    critical_path: criticalPathView(analysis.critical_path, self),
    bottleneck: bottleneck ? selfTimeView(bottleneck) : null,
    self_time: {
      services: analysis.service_self_times.map((entry) => ({
        service: entry.service,
        self_time_ms: durationMs(entry.self_nano),
        self_time_nano: entry.self_nano.toString(),
        span_count: entry.span_count,
      })),
      spans: analysis.self_times.map(selfTimeView),
    },
    slowest_spans: analysis.slowest.map(spanRef),
    errors: analysis.errors.map(errorView),
    other_roots: analysis.other_roots.map(otherRootView),
  };
}
