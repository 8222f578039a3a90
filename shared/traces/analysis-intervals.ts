import type { Span } from '#shared/model/span.js';
import type { TraceNode } from './assemble.js';

/** A half-open time interval [start, end) in epoch nanoseconds. */
export interface Interval {
  start: bigint;
  end: bigint;
}

/**
 * Returns the interval a span covers in trace analysis. A span with clock
 * skew or without an end time has a duration of 0, so it covers nothing:
 * it has no self time and hides none of its parent's.
 */
export function spanInterval(span: Span): Interval {
  const start = span.start_time_unix_nano;
  return { start, end: start + span.duration_nano };
}

/**
 * Clips `inner` to `outer`, so a child that starts before its parent or
 * ends after it counts only inside the parent. Returns undefined when
 * nothing of positive length remains.
 */
export function clipInterval(
  inner: Interval,
  outer: Interval,
): Interval | undefined {
  const start = maxBigInt(inner.start, outer.start);
  const end = minBigInt(inner.end, outer.end);
  return end > start ? { start, end } : undefined;
}

/** Compares two bigint times for `Array.sort`, earliest first. */
export function compareNanos(a: bigint, b: bigint): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

// Math.max and Math.min take numbers only, not bigint.
function maxBigInt(a: bigint, b: bigint): bigint {
  if (a > b) return a;
  return b;
}

function minBigInt(a: bigint, b: bigint): bigint {
  if (a < b) return a;
  return b;
}

/** Measures the union of intervals: time covered by several counts once. */
export function unionLength(intervals: Interval[]): bigint {
  const sorted = [...intervals].sort((a, b) => compareNanos(a.start, b.start));
  let total = 0n;
  let current: Interval | undefined;
  for (const interval of sorted) {
    if (current && interval.start <= current.end) {
      if (interval.end > current.end) current.end = interval.end;
      continue;
    }
    if (current) total += current.end - current.start;
    current = { ...interval };
  }
  if (current) total += current.end - current.start;
  return total;
}

/**
 * Computes a span's self time: its duration minus the union of its
 * children's intervals clipped to the span. Parallel children overlap,
 * so their union counts, not their sum. Never negative, because the
 * clipped union lies inside the span.
 */
export function selfTime(node: TraceNode): bigint {
  const own = spanInterval(node.span);
  const covered = node.children.flatMap(
    (child) => clipInterval(spanInterval(child.span), own) ?? [],
  );
  return own.end - own.start - unionLength(covered);
}
