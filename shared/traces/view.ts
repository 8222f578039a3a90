import { type Attributes, plainFromAttributes } from '../model/attributes.js';
import type { Span, TraceSummary } from '../model/span.js';
import type { AssembledTrace, TraceNode } from './assemble.js';
import { durationMs, isoFromNanos } from './timestamps.js';

/** Formats an end time, which is 0 for an incomplete span: no ISO form. */
function isoEnd(nanos: bigint): string | null {
  return nanos === 0n ? null : isoFromNanos(nanos);
}

const plain = (attributes: Attributes) => plainFromAttributes(attributes);

/** Renders a span as our JSON API returns it, without its children. */
export function spanView(span: Span) {
  return {
    trace_id: span.trace_id,
    span_id: span.span_id,
    parent_span_id: span.parent_span_id,
    trace_state: span.trace_state,
    service: span.service,
    name: span.name,
    kind: span.kind,
    start_time: isoFromNanos(span.start_time_unix_nano),
    start_time_unix_nano: span.start_time_unix_nano.toString(),
    end_time: isoEnd(span.end_time_unix_nano),
    end_time_unix_nano: span.end_time_unix_nano.toString(),
    duration_ms: durationMs(span.duration_nano),
    duration_nano: span.duration_nano.toString(),
    clock_skew: span.clock_skew,
    incomplete: span.incomplete,
    status: span.status,
    attributes: plain(span.attributes),
    resource: plain(span.resource),
    scope: { ...span.scope, attributes: plain(span.scope.attributes) },
    events: span.events.map((event) => ({
      name: event.name,
      time: isoFromNanos(event.time_unix_nano),
      time_unix_nano: event.time_unix_nano.toString(),
      attributes: plain(event.attributes),
      dropped_attributes_count: event.dropped_attributes_count,
    })),
    links: span.links.map((link) => ({
      ...link,
      attributes: plain(link.attributes),
    })),
    dropped_attributes_count: span.dropped_attributes_count,
    dropped_events_count: span.dropped_events_count,
    dropped_links_count: span.dropped_links_count,
  };
}

type NodeView = ReturnType<typeof spanView> & {
  missing_parent: boolean;
  parent_cycle: boolean;
  depth_limited: boolean;
  children: NodeView[];
};

/** Renders a tree without recursion, so a deep trace cannot overflow. */
function treeView(roots: TraceNode[]): NodeView[] {
  const views = new Map<TraceNode, NodeView>();
  const order: TraceNode[] = [];
  const stack = [...roots];
  for (let node = stack.pop(); node; node = stack.pop()) {
    order.push(node);
    views.set(node, {
      ...spanView(node.span),
      missing_parent: node.missing_parent,
      parent_cycle: node.parent_cycle,
      depth_limited: node.depth_limited,
      children: [],
    });
    stack.push(...node.children);
  }
  for (const node of order) {
    const view = views.get(node);
    if (!view) continue;
    view.children = node.children.flatMap((child) => views.get(child) ?? []);
  }
  return roots.flatMap((root) => views.get(root) ?? []);
}

/** Renders the body of `GET /traces/{trace_id}`. */
export function traceView(trace: AssembledTrace) {
  return {
    trace_id: trace.trace_id,
    root_span_id: trace.root_span_id,
    root_service: trace.root_service,
    root_name: trace.root_name,
    start_time: isoFromNanos(trace.start_time_unix_nano),
    start_time_unix_nano: trace.start_time_unix_nano.toString(),
    duration_ms: durationMs(trace.duration_nano),
    duration_nano: trace.duration_nano.toString(),
    services: trace.services,
    span_count: trace.span_count,
    error_count: trace.error_count,
    spans: treeView(trace.roots),
  };
}

/** Renders one entry of `GET /traces/service/{service_id}`. */
export function summaryView(summary: TraceSummary) {
  return {
    trace_id: summary.trace_id,
    root_service: summary.root_service,
    root_name: summary.root_name,
    start_time: isoFromNanos(summary.start_time_unix_nano),
    start_time_unix_nano: summary.start_time_unix_nano.toString(),
    duration_ms: durationMs(summary.duration_nano),
    duration_nano: summary.duration_nano.toString(),
    services: summary.services,
    span_count: summary.span_count,
    error_count: summary.error_count,
  };
}
