import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Span } from '#shared/model/span.js';
import type { TraceStore } from '#shared/store/ports.js';
import { MS, makeSpan } from '#test/support/spans.js';
import type { TraceStoreHarness } from './trace-store.contract.js';

const T0 = 1_780_000_000_000n * MS;

function traceId(n: number): string {
  return n.toString(16).padStart(32, '0');
}

function spanId(n: number): string {
  return n.toString(16).padStart(16, '0');
}

/** Span `n` of svc-a starting at T0 + n ms and lasting `ms`. */
function span(n: number, ms: bigint, overrides: Partial<Span> = {}): Span {
  const start = T0 + BigInt(n) * MS;
  return makeSpan({
    trace_id: traceId(n),
    span_id: spanId(n),
    service: 'svc-a',
    kind: 'server',
    start_time_unix_nano: start,
    end_time_unix_nano: start + ms * MS,
    ...overrides,
  });
}

/**
 * Reading several traces at once, as topology upkeep does after each
 * batch; shared by every trace store adapter.
 */
export function traceStoreGetTracesContract(
  adapter: string,
  open: () => Promise<TraceStoreHarness>,
): void {
  describe(`trace store getTraces: ${adapter}`, () => {
    let harness: TraceStoreHarness;
    let store: TraceStore;

    beforeEach(async () => {
      harness = await open();
      store = harness.store;
    });
    afterEach(() => harness.close());

    describe('getTraces', () => {
      it('returns the spans of every listed trace', async () => {
        await store.write([
          span(1, 5n),
          span(2, 5n),
          span(3, 5n, { trace_id: traceId(1) }),
        ]);

        const spans = await store.getTraces([traceId(1), traceId(2)]);
        const ids = spans.map((s) => `${s.trace_id}/${s.span_id}`).sort();

        expect(ids).toEqual([
          `${traceId(1)}/${spanId(1)}`,
          `${traceId(1)}/${spanId(3)}`,
          `${traceId(2)}/${spanId(2)}`,
        ]);
      });

      it('returns each span once for a repeated id', async () => {
        await store.write([span(1, 5n)]);

        const spans = await store.getTraces([traceId(1), traceId(1)]);
        expect(spans).toHaveLength(1);
      });

      it('reads spans back with every field', async () => {
        const stored = span(1, 5n, { parent_span_id: spanId(9) });
        await store.write([stored]);

        expect(await store.getTraces([traceId(1)])).toEqual([stored]);
      });

      it.each([
        ['no ids', []],
        ['unknown ids', [traceId(7)]],
      ])('returns nothing for %s', async (_name, ids) => {
        await store.write([span(1, 5n)]);

        expect(await store.getTraces(ids)).toEqual([]);
      });
    });
  });
}
