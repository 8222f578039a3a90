import {
  clipInterval,
  compareNanos,
  type Interval,
  spanInterval,
} from './analysis-intervals.js';
import type { TraceNode } from './assemble.js';

/** A stretch of the critical path during which one span does the work. */
export interface CriticalSegment extends Interval {
  node: TraceNode;
}

/** A span on the critical path, with the window it was walked in. */
export interface CriticalStep {
  node: TraceNode;
  /** The span's interval clipped to its parent's window. */
  window: Interval;
  /** Levels below the analyzed root, which is 0. */
  depth: number;
  /** Time of the path spent in this span's own segments, in ns. */
  critical_nano: bigint;
}

/** The chain of spans that sets a trace's end-to-end latency. */
export interface CriticalPath {
  /** Spans on the path by window start, a parent before its child. */
  steps: CriticalStep[];
  /** Segments in time order, which together tile the root's interval. */
  segments: CriticalSegment[];
}

interface Candidate {
  node: TraceNode;
  window: Interval;
}

/**
 * Orders a span's children, clipped to its window, by latest end first.
 * Ties go to the earlier start (the child that covers more), then to the
 * lower span id, so the path never depends on arrival order. Children
 * with nothing left inside the window (skewed, incomplete or outside it)
 * are dropped: they cannot delay the parent.
 */
function candidates(node: TraceNode, window: Interval): Candidate[] {
  const clipped = node.children.flatMap((child) => {
    const inside = clipInterval(spanInterval(child.span), window);
    return inside ? [{ node: child, window: inside }] : [];
  });
  return clipped.sort((a, b) => {
    if (a.window.end !== b.window.end)
      return a.window.end > b.window.end ? -1 : 1;
    if (a.window.start !== b.window.start) {
      return a.window.start < b.window.start ? -1 : 1;
    }
    return a.node.span.span_id < b.node.span.span_id ? -1 : 1;
  });
}

/** Collects steps and segments while the walk goes backwards in time. */
class Walk {
  readonly steps: CriticalStep[] = [];
  readonly segments: CriticalSegment[] = [];

  visit(node: TraceNode, window: Interval, depth: number): void {
    const step = { node, window, depth, critical_nano: 0n };
    this.steps.push(step);
    let cursor = window.end;
    for (const next of candidates(node, window)) {
      // A child that ends after the cursor ran in parallel with a later
      // one on the path, so the parent did not wait for it.
      if (next.window.end > cursor) continue;
      this.own(step, next.window.end, cursor);
      this.visit(next.node, next.window, depth + 1);
      cursor = next.window.start;
    }
    this.own(step, window.start, cursor);
  }

  /** Records the time in [start, end) as the span's own work on the path. */
  private own(step: CriticalStep, start: bigint, end: bigint): void {
    if (end <= start) return;
    step.critical_nano += end - start;
    this.segments.push({ node: step.node, start, end });
  }
}

/**
 * Finds the critical path below `root`: the chain of spans that
 * determines its end-to-end latency. The walk runs backwards in time:
 *
 * 1. The root's window is its own interval. Each span keeps a cursor,
 *    which starts at the end of the span's window.
 * 2. Among the span's children clipped to its window, take the one whose
 *    end is latest among those ending at or before the cursor.
 * 3. The time from that child's end to the cursor is the span's own work.
 *    Then the child is walked the same way, with its clipped interval as
 *    its window, and the cursor moves back to the child's start.
 * 4. When no child ends at or before the cursor, the time from the
 *    window's start to the cursor is the span's own work, and the walk
 *    returns to the parent.
 *
 * Of children that run in parallel, only the one that ends last is on the
 * path: the others end after the cursor has moved to its start. Skewed
 * and incomplete children have a duration of 0 and are never on the path.
 * The segments tile the root's interval, so their lengths sum to the
 * root's duration. Recursion goes one call deep per tree level, and trace
 * assembly caps the tree at MAX_TREE_DEPTH (500) levels.
 */
export function criticalPath(root: TraceNode): CriticalPath {
  const walk = new Walk();
  walk.visit(root, spanInterval(root.span), 0);

  const steps = walk.steps.sort(
    (a, b) => compareNanos(a.window.start, b.window.start) || a.depth - b.depth,
  );
  const segments = walk.segments.sort((a, b) => compareNanos(a.start, b.start));
  return { steps, segments };
}
