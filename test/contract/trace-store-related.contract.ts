import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Span } from '#shared/model/span.js';
import type { TraceStore } from '#shared/store/ports.js';
import { edgeSpanOf, spanKey } from '#shared/topology/edges.js';
import type { EdgeSpan } from '#shared/topology/model.js';
import { MS, makeSpan } from '#test/support/spans.js';
import type { TraceStoreHarness } from './trace-store.contract.js';

const T0 = 1_780_000_000_000n * MS;
const HOUR = 3_600_000n * MS;
const TRACE = '7ca373f7c7e0f17df9965485593768ce';
const OTHER_TRACE = '0af7651916cd43dd8448eb211c80319c';

/** The root (svc-a), its child (svc-b) and the child's child (svc-c). */
const ROOT = makeSpan({
  trace_id: TRACE,
  span_id: '82a3dd7705c4527d',
  service: 'svc-a',
  start_time_unix_nano: T0,
  end_time_unix_nano: T0 + 30n * MS,
});
const CHILD = makeSpan({
  trace_id: TRACE,
  span_id: '46dfdbccdb1ddb89',
  parent_span_id: ROOT.span_id,
  service: 'svc-b',
  start_time_unix_nano: T0 + 10n * MS,
  end_time_unix_nano: T0 + 20n * MS,
  status: { code: 'error', message: 'timed out' },
});
const GRANDCHILD = makeSpan({
  trace_id: TRACE,
  span_id: '1111111111111111',
  parent_span_id: CHILD.span_id,
  service: 'svc-c',
  start_time_unix_nano: T0 + 12n * MS,
  end_time_unix_nano: T0 + 11n * MS,
});

const keysOf = (spans: readonly EdgeSpan[]) =>
  spans.map((span) => spanKey(span.trace_id, span.span_id)).sort();

const byKey = (spans: readonly EdgeSpan[]) =>
  new Map(spans.map((span) => [spanKey(span.trace_id, span.span_id), span]));

/**
 * Defines the cases of writing spans and reading back the stored spans
 * around them, as span ingest does for topology upkeep. Every trace store
 * adapter runs them.
 */
export function traceStoreRelatedContract(
  adapter: string,
  open: () => Promise<TraceStoreHarness>,
): void {
  describe(`trace store writeWithRelated: ${adapter}`, () => {
    let harness: TraceStoreHarness;
    let store: TraceStore;

    beforeEach(async () => {
      harness = await open();
      store = harness.store;
    });
    afterEach(() => harness.close());

    it('counts written and duplicate spans as write does', async () => {
      const first = await store.writeWithRelated([ROOT, CHILD]);
      const again = await store.writeWithRelated([ROOT, CHILD]);

      expect(first.written).toBe(2);
      expect(first.duplicates).toBe(0);
      expect(first.rejected).toEqual([]);
      expect(again.written).toBe(0);
      expect(again.duplicates).toBe(2);
    });

    it('returns the fields edges need of each stored span', async () => {
      const { related } = await store.writeWithRelated([
        ROOT,
        CHILD,
        GRANDCHILD,
      ]);

      const found = byKey(related);
      for (const span of [ROOT, CHILD, GRANDCHILD]) {
        const key = spanKey(span.trace_id, span.span_id);
        expect(found.get(key)).toEqual(edgeSpanOf(span));
      }
    });

    it('includes a parent stored by an earlier write', async () => {
      await store.write([ROOT]);

      const { related } = await store.writeWithRelated([CHILD]);

      expect(keysOf(related)).toContain(spanKey(TRACE, ROOT.span_id));
    });

    it('includes children stored by earlier writes', async () => {
      await store.write([GRANDCHILD]);
      await store.write([CHILD]);

      const { related } = await store.writeWithRelated([ROOT]);

      expect(keysOf(related)).toEqual(keysOf([ROOT, CHILD, GRANDCHILD]));
    });

    it('returns the stored span for a repeated id', async () => {
      await store.write([CHILD]);
      const changed: Span = { ...CHILD, service: 'svc-z' };

      const result = await store.writeWithRelated([changed]);

      expect(result.duplicates).toBe(1);
      const [stored] = result.related;
      expect(result.related).toHaveLength(1);
      expect(stored?.service).toBe('svc-b');
    });

    it('includes a span stored hours before the batch', async () => {
      const early = makeSpan({
        ...CHILD,
        start_time_unix_nano: T0 - 5n * HOUR,
        end_time_unix_nano: T0 - 5n * HOUR + 10n * MS,
      });
      const between = makeSpan({
        trace_id: OTHER_TRACE,
        span_id: '2222222222222222',
        start_time_unix_nano: T0 - 2n * HOUR,
      });
      await store.write([early]);
      await store.write([between]);

      const { related } = await store.writeWithRelated([ROOT]);

      expect(keysOf(related)).toEqual(keysOf([ROOT, early]));
    });

    it('leaves out spans of other traces', async () => {
      const other = makeSpan({
        trace_id: OTHER_TRACE,
        span_id: '2222222222222222',
        start_time_unix_nano: T0 + 15n * MS,
      });
      await store.write([other]);

      const { related } = await store.writeWithRelated([ROOT]);

      expect(keysOf(related)).toEqual([spanKey(TRACE, ROOT.span_id)]);
    });

    it('returns nothing for an empty batch', async () => {
      await store.write([ROOT]);

      const result = await store.writeWithRelated([]);

      expect(result).toEqual({
        written: 0,
        duplicates: 0,
        rejected: [],
        related: [],
      });
    });
  });
}
