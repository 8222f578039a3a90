import { describe, expect, it } from 'vitest';
import type { Span } from '#shared/model/span.js';
import { analyzeTrace, type TraceAnalysis } from '#shared/traces/analysis.js';
import {
  clipInterval,
  unionLength,
} from '#shared/traces/analysis-intervals.js';
import { MAX_TREE_DEPTH } from '#shared/traces/assemble.js';
import { MS, makeSpan } from '#test/support/spans.js';

const T0 = 1_772_000_000_000n * MS;
const hex = (n: number) => n.toString(16).padStart(16, '0');

/**
 * Builds span `id` under `parent` running from `startMs` to `endMs`
 * after T0. An `endMs` of null leaves the span without an end time.
 */
function span(
  id: number,
  parent: number | null,
  startMs: number,
  endMs: number | null,
  extra: Partial<Span> = {},
): Span {
  return makeSpan({
    span_id: hex(id),
    parent_span_id: parent === null ? null : hex(parent),
    service: `svc-${id}`,
    name: `op-${id}`,
    start_time_unix_nano: T0 + BigInt(startMs) * MS,
    end_time_unix_nano: endMs === null ? 0n : T0 + BigInt(endMs) * MS,
    ...extra,
  });
}

function analyze(spans: Span[], limit = 10): TraceAnalysis {
  const analysis = analyzeTrace(spans, limit);
  if (!analysis) throw new Error('expected an analysis');
  return analysis;
}

const id = (s: Span) => Number.parseInt(s.span_id, 16);
const ms = (nanos: bigint) => Number(nanos / MS);

/** Lists the critical path as [span id, start ms, end ms] per segment. */
function segments(analysis: TraceAnalysis): number[][] {
  return analysis.critical_path.segments.map((segment) => [
    id(segment.node.span),
    ms(segment.start - T0),
    ms(segment.end - T0),
  ]);
}

/** Lists the span ids on the critical path, in path order. */
function pathIds(analysis: TraceAnalysis): number[] {
  return analysis.critical_path.steps.map((step) => id(step.node.span));
}

/** Maps span id to self time in ms. */
function selfTimes(analysis: TraceAnalysis): Record<number, number> {
  return Object.fromEntries(
    analysis.self_times.map((entry) => [id(entry.span), ms(entry.self_nano)]),
  );
}

function pathLength(analysis: TraceAnalysis): number {
  return analysis.critical_path.segments.reduce(
    (sum, segment) => sum + ms(segment.end - segment.start),
    0,
  );
}

describe('analyzeTrace', () => {
  it('returns undefined without spans', () => {
    expect(analyzeTrace([], 10)).toBeUndefined();
  });

  it('analyzes a single span', () => {
    const analysis = analyze([span(1, null, 0, 10)]);

    expect(pathIds(analysis)).toEqual([1]);
    expect(segments(analysis)).toEqual([[1, 0, 10]]);
    expect(selfTimes(analysis)).toEqual({ 1: 10 });
    expect(analysis.bottleneck?.span.span_id).toBe(hex(1));
    expect(analysis.bottleneck?.self_nano).toBe(10n * MS);
    expect(analysis.other_roots).toEqual([]);
  });

  it('walks sequential children and a grandchild', () => {
    // 1 [0,100] -> 2 [10,40] -> 3 [15,35]; 1 -> 4 [50,90].
    const analysis = analyze([
      span(1, null, 0, 100),
      span(2, 1, 10, 40),
      span(3, 2, 15, 35),
      span(4, 1, 50, 90),
    ]);

    expect(pathIds(analysis)).toEqual([1, 2, 3, 4]);
    expect(segments(analysis)).toEqual([
      [1, 0, 10],
      [2, 10, 15],
      [3, 15, 35],
      [2, 35, 40],
      [1, 40, 50],
      [4, 50, 90],
      [1, 90, 100],
    ]);
    expect(pathLength(analysis)).toBe(100);
    expect(selfTimes(analysis)).toEqual({ 1: 30, 2: 10, 3: 20, 4: 40 });
    expect(analysis.bottleneck?.span.span_id).toBe(hex(4));
    expect(analysis.bottleneck?.span.service).toBe('svc-4');
  });

  it('follows the last-ending of parallel children', () => {
    // Under 1 [0,100]: 2 [10,60] and 3 [20,90] overlap; 4 [5,15] ends
    // before 3 starts. 3 gates the end, 2 is hidden behind it.
    const analysis = analyze([
      span(1, null, 0, 100),
      span(2, 1, 10, 60),
      span(3, 1, 20, 90),
      span(4, 1, 5, 15),
    ]);

    expect(pathIds(analysis)).toEqual([1, 4, 3]);
    expect(segments(analysis)).toEqual([
      [1, 0, 5],
      [4, 5, 15],
      [1, 15, 20],
      [3, 20, 90],
      [1, 90, 100],
    ]);
    expect(pathLength(analysis)).toBe(100);
    // The children cover [5,90] together: 85 ms, not their sum of 130.
    expect(selfTimes(analysis)[1]).toBe(15);
    expect(analysis.bottleneck?.span.span_id).toBe(hex(3));
  });

  it('ignores skewed and incomplete children', () => {
    const analysis = analyze([
      span(1, null, 0, 100),
      span(2, 1, 20, 10),
      span(3, 1, 30, null),
      span(4, 1, 40, 60),
    ]);

    expect(pathIds(analysis)).toEqual([1, 4]);
    expect(selfTimes(analysis)).toEqual({ 1: 80, 2: 0, 3: 0, 4: 20 });
    expect(pathLength(analysis)).toBe(100);
  });

  it('clips children that leave the parent interval', () => {
    // 2 starts 20 ms before its parent; 3 ends 50 ms after it.
    const analysis = analyze([
      span(1, null, 0, 100),
      span(2, 1, -20, 30),
      span(3, 1, 80, 150),
    ]);

    expect(segments(analysis)).toEqual([
      [2, 0, 30],
      [1, 30, 80],
      [3, 80, 100],
    ]);
    expect(pathLength(analysis)).toBe(100);
    expect(selfTimes(analysis)).toEqual({ 1: 50, 2: 50, 3: 70 });
    const steps = analysis.critical_path.steps;
    expect(steps.map((step) => ms(step.critical_nano))).toEqual([50, 30, 20]);
  });

  it('reports no bottleneck when the root has no duration', () => {
    const analysis = analyze([span(1, null, 0, null)]);

    expect(pathIds(analysis)).toEqual([1]);
    expect(segments(analysis)).toEqual([]);
    expect(analysis.bottleneck).toBeUndefined();
  });

  it('analyzes the largest tree and reports other roots', () => {
    // Tree 1 has three spans; span 9 is longer, but its parent is missing.
    const analysis = analyze([
      span(9, 8, 5, 100),
      span(1, null, 0, 50),
      span(2, 1, 10, 20),
      span(3, 1, 20, 30),
    ]);

    expect(analysis.root.span.span_id).toBe(hex(1));
    expect(analysis.tree_span_count).toBe(3);
    expect(pathIds(analysis)).toEqual([1, 2, 3]);
    expect(analysis.other_roots).toHaveLength(1);
    expect(analysis.other_roots[0]?.node.span.span_id).toBe(hex(9));
    expect(analysis.other_roots[0]?.node.missing_parent).toBe(true);
    expect(analysis.other_roots[0]?.span_count).toBe(1);
    expect(selfTimes(analysis)[9]).toBe(95);
  });

  it('prefers a root without parent among equal trees', () => {
    const analysis = analyze([span(7, 6, 0, 10), span(1, null, 5, 15)]);

    expect(analysis.root.span.span_id).toBe(hex(1));
    expect(analysis.other_roots.map((r) => id(r.node.span))).toEqual([7]);
  });

  it('sums self time per service', () => {
    const analysis = analyze([
      span(1, null, 0, 100, { service: 'front' }),
      span(2, 1, 10, 40, { service: 'db' }),
      span(3, 1, 50, 60, { service: 'db' }),
      span(4, 1, 70, 75, { service: 'cache' }),
    ]);

    expect(
      analysis.service_self_times.map((s) => [
        s.service,
        ms(s.self_nano),
        s.span_count,
      ]),
    ).toEqual([
      ['front', 55, 1],
      ['db', 40, 2],
      ['cache', 5, 1],
    ]);
  });

  it('lists the slowest spans up to the limit', () => {
    const analysis = analyze(
      [
        span(1, null, 0, 100),
        span(2, 1, 0, 30),
        span(3, 1, 30, 80),
        span(4, 1, 80, 90),
      ],
      2,
    );

    expect(analysis.slowest.map(id)).toEqual([1, 3]);
  });

  it('lists error spans with their exceptions', () => {
    const exception = {
      time_unix_nano: T0 + 25n * MS,
      name: 'exception',
      attributes: {
        'exception.type': { stringValue: 'TimeoutError' },
        'exception.message': { stringValue: 'no reply in 5 s' },
      },
      dropped_attributes_count: 0,
    };
    const retry = { ...exception, name: 'retry', attributes: {} };
    const analysis = analyze([
      span(1, null, 0, 100, {
        status: { code: 'error', message: 'upstream failed' },
      }),
      span(2, 1, 10, 30, {
        status: { code: 'error', message: 'timeout' },
        events: [retry, exception],
      }),
      span(3, 1, 40, 50, { events: [exception] }),
    ]);

    expect(analysis.errors.map((e) => id(e.span))).toEqual([1, 2]);
    expect(analysis.errors[0]?.span.status.message).toBe('upstream failed');
    expect(analysis.errors[0]?.exceptions).toEqual([]);
    expect(analysis.errors[1]?.exceptions).toEqual([
      {
        time_unix_nano: T0 + 25n * MS,
        type: 'TimeoutError',
        message: 'no reply in 5 s',
        stacktrace: null,
      },
    ]);
  });

  it('walks a chain deeper than the tree depth cap', () => {
    // 1,000 nested spans, each 1 ms shorter at both ends than its parent.
    const spans = Array.from({ length: 1000 }, (_, i) =>
      span(i + 1, i === 0 ? null : i, i, 4000 - i),
    );

    const analysis = analyze(spans);

    expect(analysis.critical_path.steps).toHaveLength(MAX_TREE_DEPTH);
    expect(analysis.tree_span_count).toBe(MAX_TREE_DEPTH);
    expect(analysis.other_roots[0]?.node.depth_limited).toBe(true);
    expect(pathLength(analysis)).toBe(4000);
    expect(analysis.self_times).toHaveLength(1000);
  });

  it('counts a repeated span id once', () => {
    const analysis = analyze([
      span(1, null, 0, 100),
      span(2, 1, 10, 20),
      span(2, 1, 10, 90, { name: 'copy' }),
    ]);

    expect(analysis.self_times).toHaveLength(2);
    expect(selfTimes(analysis)).toEqual({ 1: 90, 2: 10 });
  });
});

describe('interval helpers', () => {
  const at = (start: number, end: number) => ({
    start: BigInt(start),
    end: BigInt(end),
  });

  it.each([
    [[], 0n],
    [[at(0, 10)], 10n],
    [[at(0, 10), at(20, 30)], 20n],
    [[at(0, 10), at(5, 15)], 15n],
    [[at(0, 30), at(5, 10), at(10, 20)], 30n],
    [[at(20, 30), at(0, 10), at(10, 20)], 30n],
  ])('unionLength of %o is %s', (intervals, expected) => {
    expect(unionLength(intervals)).toBe(expected);
  });

  it.each([
    [at(-5, 5), at(0, 10), at(0, 5)],
    [at(5, 15), at(0, 10), at(5, 10)],
    [at(2, 8), at(0, 10), at(2, 8)],
    [at(10, 20), at(0, 10), undefined],
    [at(4, 4), at(0, 10), undefined],
  ])('clipInterval of %o to %o', (inner, outer, expected) => {
    expect(clipInterval(inner, outer)).toEqual(expected);
  });
});
