import { stringAttribute } from '#shared/model/attributes.js';
import type { Span } from '#shared/model/span.js';
import { type CriticalPath, criticalPath } from './analysis-critical-path.js';
import { compareNanos, selfTime } from './analysis-intervals.js';
import {
  type AssembledTrace,
  assembleTrace,
  type TraceNode,
} from './assemble.js';

/** A span with its self time: time in which none of its children ran. */
export interface SpanSelfTime {
  span: Span;
  self_nano: bigint;
}

/** Self time summed over the spans of one service. */
export interface ServiceSelfTime {
  service: string;
  self_nano: bigint;
  span_count: number;
}

/** An `exception` event of a span, by the OpenTelemetry conventions. */
export interface SpanException {
  time_unix_nano: bigint;
  type: string | null;
  message: string | null;
  stacktrace: string | null;
}

/** A span whose status is error, with the exceptions it recorded. */
export interface ErrorSpan {
  span: Span;
  exceptions: SpanException[];
}

/** A root left out of the analysis, and the size of its tree. */
export interface OtherRoot {
  node: TraceNode;
  span_count: number;
}

/** The report of `GET /traces/{trace_id}/analyze` on one trace. */
export interface TraceAnalysis {
  trace: AssembledTrace;
  /** Root of the tree that was analyzed: the largest one. */
  root: TraceNode;
  /** Spans in the analyzed tree. */
  tree_span_count: number;
  critical_path: CriticalPath;
  /** The path's span with the most self time; undefined when all have 0. */
  bottleneck: SpanSelfTime | undefined;
  /** Every span of the trace, most self time first. */
  self_times: SpanSelfTime[];
  /** Every service of the trace, most self time first. */
  service_self_times: ServiceSelfTime[];
  /** The `limit` longest spans, longest first. */
  slowest: Span[];
  /** Spans with status error, in start order. */
  errors: ErrorSpan[];
  /** Roots of the other trees, such as spans whose parent is missing. */
  other_roots: OtherRoot[];
}

/** Lists a tree's nodes, parents before children, without recursion. */
function treeNodes(root: TraceNode): TraceNode[] {
  const nodes: TraceNode[] = [];
  const stack = [root];
  for (let node = stack.pop(); node; node = stack.pop()) {
    nodes.push(node);
    stack.push(...node.children.toReversed());
  }
  return nodes;
}

interface Tree {
  node: TraceNode;
  nodes: TraceNode[];
}

/** Returns whether tree `a` is a better pick to analyze than tree `b`. */
function isLarger(a: Tree, b: Tree): boolean {
  if (a.nodes.length !== b.nodes.length) {
    return a.nodes.length > b.nodes.length;
  }
  const aNamed = a.node.span.parent_span_id === null;
  const bNamed = b.node.span.parent_span_id === null;
  return aNamed && !bNamed;
}

/**
 * Picks the tree to analyze: the one with the most spans. Among equals a
 * root that names no parent wins, then the earliest, because trace
 * assembly sorts roots by start.
 */
function largestTree(trees: Tree[]): Tree | undefined {
  let best = trees[0];
  for (const tree of trees) {
    if (best && isLarger(tree, best)) best = tree;
  }
  return best;
}

function bySelfTime(a: SpanSelfTime, b: SpanSelfTime): number {
  if (a.self_nano !== b.self_nano) return a.self_nano > b.self_nano ? -1 : 1;
  return compareStart(a.span, b.span);
}

function compareStart(a: Span, b: Span): number {
  const byStart = compareNanos(a.start_time_unix_nano, b.start_time_unix_nano);
  if (byStart !== 0) return byStart;
  return a.span_id < b.span_id ? -1 : 1;
}

function serviceSelfTimes(selfTimes: SpanSelfTime[]): ServiceSelfTime[] {
  const services = new Map<string, ServiceSelfTime>();
  for (const { span, self_nano } of selfTimes) {
    const entry = services.get(span.service) ?? {
      service: span.service,
      self_nano: 0n,
      span_count: 0,
    };
    entry.self_nano += self_nano;
    entry.span_count += 1;
    services.set(span.service, entry);
  }
  return [...services.values()].sort((a, b) => {
    if (a.self_nano !== b.self_nano) return a.self_nano > b.self_nano ? -1 : 1;
    return a.service < b.service ? -1 : 1;
  });
}

/** Reads the `exception` events of a span, with null for absent fields. */
function exceptionsOf(span: Span): SpanException[] {
  return span.events
    .filter((event) => event.name === 'exception')
    .map((event) => ({
      time_unix_nano: event.time_unix_nano,
      type: stringAttribute(event.attributes, 'exception.type') ?? null,
      message: stringAttribute(event.attributes, 'exception.message') ?? null,
      stacktrace:
        stringAttribute(event.attributes, 'exception.stacktrace') ?? null,
    }));
}

function slowest(spans: Span[], limit: number): Span[] {
  return [...spans]
    .sort((a, b) => {
      if (a.duration_nano !== b.duration_nano) {
        return a.duration_nano > b.duration_nano ? -1 : 1;
      }
      return compareStart(a, b);
    })
    .slice(0, limit);
}

/**
 * Picks the bottleneck: the span on the critical path with the most self
 * time, ties going to the span with more time on the path, then to the
 * earlier one. Undefined when no span on the path has self time.
 */
function bottleneckOf(
  path: CriticalPath,
  selfTimes: Map<TraceNode, bigint>,
): SpanSelfTime | undefined {
  let best: { step: CriticalPath['steps'][number]; self: bigint } | undefined;
  for (const step of path.steps) {
    const self = selfTimes.get(step.node) ?? 0n;
    if (self === 0n) continue;
    const better =
      !best ||
      self > best.self ||
      (self === best.self && step.critical_nano > best.step.critical_nano);
    if (better) best = { step, self };
  }
  return best && { span: best.step.node.span, self_nano: best.self };
}

/**
 * Analyzes a trace: its critical path and bottleneck, self time per span
 * and per service, its `limit` slowest spans and its error spans. When
 * the spans form several trees (a parent has not arrived, or a cycle was
 * cut), the critical path covers the tree with the most spans and the
 * other roots are reported. Self times, slowest spans and errors cover
 * every span. Returns undefined for no spans.
 */
export function analyzeTrace(
  spans: Span[],
  limit: number,
): TraceAnalysis | undefined {
  const trace = assembleTrace(spans);
  if (!trace) return undefined;
  const trees = trace.roots.map((node) => ({ node, nodes: treeNodes(node) }));
  const best = largestTree(trees);
  if (!best) return undefined;

  const selfByNode = new Map<TraceNode, bigint>();
  for (const tree of trees) {
    for (const node of tree.nodes) selfByNode.set(node, selfTime(node));
  }
  const selfTimes = [...selfByNode].map(([node, self_nano]) => ({
    span: node.span,
    self_nano,
  }));
  const path = criticalPath(best.node);
  const unique = selfTimes.map((entry) => entry.span);

  return {
    trace,
    root: best.node,
    tree_span_count: best.nodes.length,
    critical_path: path,
    bottleneck: bottleneckOf(path, selfByNode),
    self_times: selfTimes.sort(bySelfTime),
    service_self_times: serviceSelfTimes(selfTimes),
    slowest: slowest(unique, limit),
    errors: unique
      .filter((span) => span.status.code === 'error')
      .sort(compareStart)
      .map((span) => ({ span, exceptions: exceptionsOf(span) })),
    other_roots: trees
      .filter((tree) => tree !== best)
      .map((tree) => ({ node: tree.node, span_count: tree.nodes.length })),
  };
}
