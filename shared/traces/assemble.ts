import type { Span } from '../model/span.js';

/** A span in the assembled tree, with its children sorted by start. */
export interface TraceNode {
  span: Span;
  /** The span names a parent that is not stored (yet); shown as a root. */
  missing_parent: boolean;
  /** The span's parent chain loops back to it; it was cut here. */
  parent_cycle: boolean;
  /**
   * The span lies {@link MAX_TREE_DEPTH} levels below its root, so it is
   * shown as a root; its `parent_span_id` still names the parent.
   */
  depth_limited: boolean;
  children: TraceNode[];
}

/**
 * Deepest level of the returned tree. JSON serializers recurse once per
 * level, so a deeper tree (a runaway recursion, a crafted request) would
 * overflow the stack when the response is written.
 */
export const MAX_TREE_DEPTH = 500;

/** A trace assembled from its spans. */
export interface AssembledTrace {
  trace_id: string;
  root_span_id: string;
  root_service: string;
  root_name: string;
  start_time_unix_nano: bigint;
  duration_nano: bigint;
  /** Distinct services, sorted. */
  services: string[];
  span_count: number;
  error_count: number;
  /** Spans without a stored parent, sorted by start. */
  roots: TraceNode[];
}

function byStart(a: TraceNode, b: TraceNode): number {
  const delta = a.span.start_time_unix_nano - b.span.start_time_unix_nano;
  if (delta !== 0n) return delta < 0n ? -1 : 1;
  return a.span.span_id < b.span.span_id ? -1 : 1;
}

/** Creates one node per span id, keeping the first of repeated ids. */
function toNodes(spans: Span[]): Map<string, TraceNode> {
  const nodes = new Map<string, TraceNode>();
  for (const span of spans) {
    if (nodes.has(span.span_id)) continue;
    nodes.set(span.span_id, {
      span,
      missing_parent: false,
      parent_cycle: false,
      depth_limited: false,
      children: [],
    });
  }
  return nodes;
}

/** Links each node under its parent; returns the nodes with no parent. */
function link(nodes: Map<string, TraceNode>): TraceNode[] {
  const roots: TraceNode[] = [];
  for (const node of nodes.values()) {
    const parentId = node.span.parent_span_id;
    const parent = parentId === null ? undefined : nodes.get(parentId);
    if (parent && parent !== node) {
      parent.children.push(node);
      continue;
    }
    node.missing_parent = parentId !== null && !parent;
    node.parent_cycle = parent === node;
    roots.push(node);
  }
  return roots;
}

/** Marks every node below `start`, without recursion (traces can be deep). */
function markReachable(start: TraceNode, seen: Set<TraceNode>): void {
  const stack = [start];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (seen.has(node)) continue;
    seen.add(node);
    stack.push(...node.children);
  }
}

/**
 * Nodes in a parent cycle (a -> b -> a) are not below any root. Cuts each
 * cycle at its earliest-starting node, which becomes a root.
 */
function breakCycles(nodes: Map<string, TraceNode>, roots: TraceNode[]) {
  const seen = new Set<TraceNode>();
  for (const root of roots) markReachable(root, seen);

  const stranded = [...nodes.values()].filter((node) => !seen.has(node));
  stranded.sort(byStart);
  for (const node of stranded) {
    if (seen.has(node)) continue;
    const parentId = node.span.parent_span_id ?? '';
    const parent = nodes.get(parentId);
    if (parent) parent.children = parent.children.filter((c) => c !== node);
    node.parent_cycle = true;
    roots.push(node);
    markReachable(node, seen);
  }
}

/** Moves spans at {@link MAX_TREE_DEPTH} below their root up to roots. */
function limitDepth(roots: TraceNode[]): void {
  const stack = roots.map((node) => ({ node, depth: 1 }));
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    const { node, depth } = entry;
    if (depth < MAX_TREE_DEPTH) {
      for (const child of node.children) {
        stack.push({ node: child, depth: depth + 1 });
      }
      continue;
    }
    for (const child of node.children) {
      child.depth_limited = true;
      roots.push(child);
      stack.push({ node: child, depth: 1 });
    }
    node.children = [];
  }
}

function sortTree(roots: TraceNode[]): void {
  roots.sort(byStart);
  const stack = [...roots];
  for (let node = stack.pop(); node; node = stack.pop()) {
    node.children.sort(byStart);
    stack.push(...node.children);
  }
}

/**
 * Picks the trace's root. A span that names no parent comes first, then
 * an orphan or a cut cycle, then a span moved up for depth. Among equals
 * the earliest wins.
 */
function pickRoot(roots: TraceNode[]): TraceNode | undefined {
  const real = roots.filter((node) => !node.depth_limited);
  const named = real.filter((node) => node.span.parent_span_id === null);
  return named[0] ?? real[0] ?? roots[0];
}

/** Smallest (sign -1) or largest (sign 1) of bigints; Math.min takes none. */
function extreme(values: bigint[], sign: -1 | 1): bigint | undefined {
  let best: bigint | undefined;
  for (const value of values) {
    if (best === undefined || (sign < 0 ? value < best : value > best)) {
      best = value;
    }
  }
  return best;
}

/**
 * Computes a trace's start and duration. The start is the earliest start
 * of a span without clock skew, or of any span when all are skewed. The
 * end is the latest end of a complete span without clock skew, so skewed
 * and unfinished spans never stretch the trace. Duration is at least 0.
 */
export function traceExtent(spans: Span[]): {
  start: bigint;
  duration: bigint;
} {
  const trusted = spans.filter((span) => !span.clock_skew);
  const starts = (trusted.length ? trusted : spans).map(
    (span) => span.start_time_unix_nano,
  );
  const start = extreme(starts, -1) ?? 0n;
  const ends = trusted
    .filter((span) => !span.incomplete)
    .map((span) => span.end_time_unix_nano);
  const end = extreme(ends, 1) ?? start;
  return { start, duration: end > start ? end - start : 0n };
}

/**
 * Assembles a trace from its spans, in any order. A span whose parent is
 * absent becomes a root marked `missing_parent`; repeated span ids keep
 * the first span; parent cycles are cut, and so are chains deeper than
 * {@link MAX_TREE_DEPTH}. Returns undefined for no spans.
 */
export function assembleTrace(spans: Span[]): AssembledTrace | undefined {
  const nodes = toNodes(spans);
  const roots = link(nodes);
  breakCycles(nodes, roots);
  limitDepth(roots);
  sortTree(roots);

  const root = pickRoot(roots);
  if (!root) return undefined;
  const unique = [...nodes.values()].map((node) => node.span);
  const extent = traceExtent(unique);
  return {
    trace_id: root.span.trace_id,
    root_span_id: root.span.span_id,
    root_service: root.span.service,
    root_name: root.span.name,
    start_time_unix_nano: extent.start,
    duration_nano: extent.duration,
    services: [...new Set(unique.map((span) => span.service))].sort(),
    span_count: unique.length,
    error_count: unique.filter((span) => span.status.code === 'error').length,
    roots,
  };
}
