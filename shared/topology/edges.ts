import type { Span } from '../model/span.js';
import { msFromNanos } from '../traces/timestamps.js';
import type { EdgeObservation, EdgeSpan, ObservedService } from './model.js';

/** Key of a span across traces. */
export function spanKey(traceId: string, spanId: string): string {
  return `${traceId}/${spanId}`;
}

/** Copies the fields that calls derive from, leaving attributes behind. */
export function edgeSpanOf(span: EdgeSpan): EdgeSpan {
  return {
    trace_id: span.trace_id,
    span_id: span.span_id,
    parent_span_id: span.parent_span_id,
    service: span.service,
    start_time_unix_nano: span.start_time_unix_nano,
    duration_nano: span.duration_nano,
    clock_skew: span.clock_skew,
    incomplete: span.incomplete,
    status: { code: span.status.code },
  };
}

function observe(parent: EdgeSpan, child: EdgeSpan): EdgeObservation {
  const known = !child.clock_skew && !child.incomplete;
  return {
    trace_id: child.trace_id,
    child_span_id: child.span_id,
    source: parent.service,
    target: child.service,
    time_unix_nano: child.start_time_unix_nano,
    duration_nano: known ? child.duration_nano : null,
    failed: parent.status.code === 'error' || child.status.code === 'error',
  };
}

/**
 * Derives the calls between services in `spans`: every span whose parent
 * is among them and runs in another service gives an observation from the
 * parent's service to the child's. With `touched`, only pairs in which
 * the parent or the child has a key in it are returned, so a batch
 * records the pairs it completed. Of spans with the same key, the first
 * is used, as in trace assembly.
 */
export function deriveEdges(
  spans: readonly EdgeSpan[],
  touched?: ReadonlySet<string>,
): EdgeObservation[] {
  const byKey = new Map<string, EdgeSpan>();
  for (const span of spans) {
    const key = spanKey(span.trace_id, span.span_id);
    if (!byKey.has(key)) byKey.set(key, span);
  }

  const observations: EdgeObservation[] = [];
  for (const [key, child] of byKey) {
    if (child.parent_span_id === null) continue;
    const parentKey = spanKey(child.trace_id, child.parent_span_id);
    const parent = byKey.get(parentKey);
    if (!parent || parent.service === child.service) continue;
    if (touched && !touched.has(key) && !touched.has(parentKey)) continue;
    observations.push(observe(parent, child));
  }
  return observations;
}

/**
 * Keeps the first observation of each trace id and child span id, in
 * order, as a store keeps the first it receives.
 */
export function firstObservations(
  observations: readonly EdgeObservation[],
): EdgeObservation[] {
  const firsts = new Map<string, EdgeObservation>();
  for (const observation of observations) {
    const key = spanKey(observation.trace_id, observation.child_span_id);
    if (!firsts.has(key)) firsts.set(key, observation);
  }
  return [...firsts.values()];
}

/** Summarizes the services of `spans` with their earliest and latest start. */
export function observedServices(spans: Span[]): ObservedService[] {
  const byName = new Map<string, ObservedService>();
  for (const span of spans) {
    const ms = msFromNanos(span.start_time_unix_nano);
    const known = byName.get(span.service);
    byName.set(span.service, {
      service: span.service,
      first_seen_ms: Math.min(ms, known?.first_seen_ms ?? ms),
      last_seen_ms: Math.max(ms, known?.last_seen_ms ?? ms),
    });
  }
  return [...byName.values()];
}
