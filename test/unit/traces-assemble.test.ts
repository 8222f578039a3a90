import { describe, expect, it } from 'vitest';
import { toJson } from '#shared/http/json.js';
import type { Span } from '#shared/model/span.js';
import {
  type AssembledTrace,
  assembleTrace,
  MAX_TREE_DEPTH,
  type TraceNode,
} from '#shared/traces/assemble.js';
import { traceView } from '#shared/traces/view.js';
import { MS, makeSpan } from '#test/support/spans.js';

const T0 = 1_772_000_000_000n * MS;

/** Builds a span with a numeric `id` and times in ms after T0. */
function span(
  id: number,
  parent: number | null,
  startMs: number,
  endMs: number,
  extra: Partial<Span> = {},
): Span {
  const hex = (n: number) => n.toString(16).padStart(16, '0');
  return makeSpan({
    span_id: hex(id),
    parent_span_id: parent === null ? null : hex(parent),
    start_time_unix_nano: T0 + BigInt(startMs) * MS,
    end_time_unix_nano: endMs === 0 ? 0n : T0 + BigInt(endMs) * MS,
    ...extra,
  });
}

function assemble(spans: Span[]): AssembledTrace {
  const trace = assembleTrace(spans);
  if (!trace) throw new Error('expected a trace');
  return trace;
}

/** Lists the tree as nested span id numbers, for short comparisons. */
function shape(nodes: TraceNode[]): unknown[] {
  return nodes.map((node) => {
    const id = Number.parseInt(node.span.span_id, 16);
    return node.children.length ? [id, shape(node.children)] : id;
  });
}

describe('assembleTrace', () => {
  it('returns undefined without spans', () => {
    expect(assembleTrace([])).toBeUndefined();
  });

  it('builds the tree from spans in any order', () => {
    const trace = assemble([
      span(3, 2, 5, 8),
      span(2, 1, 2, 9),
      span(1, null, 0, 10),
    ]);

    expect(shape(trace.roots)).toEqual([[1, [[2, [3]]]]]);
    expect(trace.root_span_id).toBe('0000000000000001');
    expect(trace.span_count).toBe(3);
  });

  it('sorts parallel children by start time', () => {
    const trace = assemble([
      span(1, null, 0, 100),
      span(4, 1, 30, 40),
      span(2, 1, 10, 50),
      span(3, 1, 10, 20),
    ]);

    expect(shape(trace.roots)).toEqual([[1, [2, 3, 4]]]);
  });

  it('marks a span whose parent is absent', () => {
    const trace = assemble([span(2, 9, 10, 20)]);

    expect(trace.roots[0]?.missing_parent).toBe(true);
    expect(trace.root_span_id).toBe('0000000000000002');
  });

  it('prefers a span without parent over an earlier orphan', () => {
    const trace = assemble([span(1, null, 5, 30), span(2, 9, 0, 20)]);

    expect(trace.root_span_id).toBe('0000000000000001');
    expect(shape(trace.roots)).toEqual([2, 1]);
    expect(trace.roots.map((node) => node.missing_parent)).toEqual([
      true,
      false,
    ]);
  });

  it('keeps the first of spans sharing an id', () => {
    const trace = assemble([
      span(1, null, 0, 10, { name: 'first' }),
      span(1, null, 0, 99, { name: 'second' }),
      span(2, 1, 1, 5),
    ]);

    expect(trace.span_count).toBe(2);
    expect(trace.roots[0]?.span.name).toBe('first');
    expect(shape(trace.roots)).toEqual([[1, [2]]]);
    expect(trace.duration_nano).toBe(10n * MS);
  });

  it('cuts a parent cycle at its earliest span', () => {
    const trace = assemble([span(1, 2, 5, 10), span(2, 1, 0, 10)]);

    expect(shape(trace.roots)).toEqual([[2, [1]]]);
    expect(trace.roots[0]?.parent_cycle).toBe(true);
    expect(trace.roots[0]?.children[0]?.parent_cycle).toBe(false);
  });

  it('cuts a span that is its own parent', () => {
    const trace = assemble([span(1, 1, 0, 10), span(2, 1, 1, 5)]);

    expect(shape(trace.roots)).toEqual([[1, [2]]]);
    expect(trace.roots[0]?.parent_cycle).toBe(true);
    expect(trace.roots[0]?.missing_parent).toBe(false);
  });

  it('keeps a cycle beside a real root', () => {
    const trace = assemble([
      span(1, null, 0, 50),
      span(2, 3, 10, 20),
      span(3, 2, 15, 20),
    ]);

    expect(shape(trace.roots)).toEqual([1, [2, [3]]]);
    expect(trace.span_count).toBe(3);
  });

  it('measures from the earliest start to the latest end', () => {
    const trace = assemble([span(1, null, 0, 30), span(2, 1, 10, 45)]);

    expect(trace.start_time_unix_nano).toBe(T0);
    expect(trace.duration_nano).toBe(45n * MS);
  });

  it('leaves skewed and incomplete spans out of the duration', () => {
    const trace = assemble([
      span(1, null, 10, 30),
      span(2, 1, 0, 0),
      span(3, 1, -500, -900),
      span(4, 1, 20, 5),
    ]);

    expect(trace.start_time_unix_nano).toBe(T0);
    expect(trace.duration_nano).toBe(30n * MS);
  });

  it('reads a trace of only skewed spans as zero long', () => {
    const trace = assemble([span(1, null, 20, 10), span(2, 1, 15, 5)]);

    expect(trace.start_time_unix_nano).toBe(T0 + 15n * MS);
    expect(trace.duration_nano).toBe(0n);
  });

  it('counts errors and lists services once each', () => {
    const error = { code: 'error', message: 'boom' } as const;
    const trace = assemble([
      span(1, null, 0, 10, { service: 'svc-b', status: error }),
      span(2, 1, 1, 5, { service: 'svc-a' }),
      span(3, 1, 2, 5, { service: 'svc-b', status: error }),
    ]);

    expect(trace.error_count).toBe(2);
    expect(trace.services).toEqual(['svc-a', 'svc-b']);
    expect(trace.root_service).toBe('svc-b');
  });

  it('moves spans below the depth limit up to roots', () => {
    const depth = 2 * MAX_TREE_DEPTH + 10;
    const spans = [span(1, null, 0, depth + 1)];
    for (let id = 2; id <= depth; id += 1) {
      spans.push(span(id, id - 1, id, depth + 1));
    }

    const trace = assemble(spans);

    expect(trace.span_count).toBe(depth);
    expect(trace.root_span_id).toBe('0000000000000001');
    expect(trace.roots.map((node) => node.span.span_id)).toEqual([
      span(1, null, 0, 0).span_id,
      span(MAX_TREE_DEPTH + 1, null, 0, 0).span_id,
      span(2 * MAX_TREE_DEPTH + 1, null, 0, 0).span_id,
    ]);
    expect(trace.roots.map((node) => node.depth_limited)).toEqual([
      false,
      true,
      true,
    ]);
    expect(trace.roots[1]?.span.parent_span_id).toBe(
      span(MAX_TREE_DEPTH, null, 0, 0).span_id,
    );
  });

  it('renders a deep chain as serializable JSON', () => {
    const depth = 5_000;
    const spans = [span(1, null, 0, depth + 1)];
    for (let id = 2; id <= depth; id += 1) {
      spans.push(span(id, id - 1, id, depth + 1));
    }

    const text = toJson(traceView(assemble(spans)));

    expect(JSON.parse(text).span_count).toBe(depth);
  });
});

describe('traceView', () => {
  it('renders nanosecond times as strings beside ISO times', () => {
    const trace = assemble([span(1, null, 0, 30)]);

    const view = traceView(trace);

    expect(view.start_time).toBe(new Date(Number(T0 / MS)).toISOString());
    expect(view.start_time_unix_nano).toBe(T0.toString());
    expect(view.duration_nano).toBe('30000000');
    expect(view.duration_ms).toBe(30);
    expect(view.spans[0]?.end_time_unix_nano).toBe((T0 + 30n * MS).toString());
  });

  it('renders attributes as plain JSON with exact big integers', () => {
    const trace = assemble([
      span(1, null, 0, 1, {
        attributes: {
          big: { intValue: '9007199254740993' },
          small: { intValue: '7' },
          list: { arrayValue: { values: [{ boolValue: true }] } },
        },
      }),
    ]);

    const attributes = traceView(trace).spans[0]?.attributes;

    expect(attributes).toEqual({
      big: 9007199254740993n,
      small: 7,
      list: [true],
    });
  });
});
