import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TopologyStore } from '#shared/store/ports.js';
import type { EdgeObservation } from '#shared/topology/model.js';
import { MS } from '#test/support/spans.js';

/** A fresh, empty store and a way to release it. */
export interface TopologyStoreHarness {
  store: TopologyStore;
  close(): Promise<void>;
}

const T0_MS = 1_780_000_000_000;
const T0 = BigInt(T0_MS) * MS;
const TRACE = '7ca373f7c7e0f17df9965485593768ce';

/** The range [T0, T0 + 1 h). */
const HOUR = { start_ms: T0_MS, end_ms: T0_MS + 3_600_000 };

function spanId(n: number): string {
  return n.toString(16).padStart(16, '0');
}

/** An observation of call `n` from svc-a to svc-b taking `ms` at T0 + n s. */
function call(n: number, overrides: Partial<EdgeObservation> = {}) {
  return {
    trace_id: TRACE,
    child_span_id: spanId(n),
    source: 'svc-a',
    target: 'svc-b',
    time_unix_nano: T0 + BigInt(n) * 1_000n * MS,
    duration_nano: 10n * MS,
    failed: false,
    ...overrides,
  } satisfies EdgeObservation;
}

/**
 * The behaviour every topology store adapter must share. Each adapter's
 * test file calls this with a factory that opens an empty store.
 */
export function topologyStoreContract(
  adapter: string,
  open: () => Promise<TopologyStoreHarness>,
): void {
  describe(`topology store contract: ${adapter}`, () => {
    let harness: TopologyStoreHarness;
    let store: TopologyStore;

    beforeEach(async () => {
      harness = await open();
      store = harness.store;
    });
    afterEach(() => harness.close());

    describe('recordEdges', () => {
      it('returns how many observations were new', async () => {
        const first = await store.recordEdges([call(1), call(2)]);
        const again = await store.recordEdges([call(2), call(3)]);

        expect(first).toBe(2);
        expect(again).toBe(1);
      });

      it('counts an observation sent twice once', async () => {
        await store.recordEdges([call(1), call(2)]);
        await store.recordEdges([call(1), call(2)]);

        const [edge] = await store.edgeStats(HOUR);
        expect(edge?.call_count).toBe(2);
      });

      it('keeps the first of a key repeated in one batch', async () => {
        const written = await store.recordEdges([
          call(1),
          call(1, { failed: true }),
        ]);

        const [edge] = await store.edgeStats(HOUR);
        expect(written).toBe(1);
        expect(edge?.call_count).toBe(1);
        expect(edge?.error_count).toBe(0);
      });

      it('tells keys apart by trace id and child span id', async () => {
        const otherTrace = '0af7651916cd43dd8448eb211c80319c';
        await store.recordEdges([call(1), call(1, { trace_id: otherTrace })]);

        const [edge] = await store.edgeStats(HOUR);
        expect(edge?.call_count).toBe(2);
      });

      it('accepts an empty batch', async () => {
        expect(await store.recordEdges([])).toBe(0);
      });
    });

    describe('edgeStats', () => {
      it('returns nothing for an empty store', async () => {
        expect(await store.edgeStats(HOUR)).toEqual([]);
      });

      it('aggregates calls, errors and p95 per edge', async () => {
        await store.recordEdges([
          call(1, { duration_nano: 10n * MS }),
          call(2, { duration_nano: 20n * MS, failed: true }),
          call(3, { duration_nano: 30n * MS }),
          call(4, { duration_nano: 40n * MS }),
        ]);

        const [edge] = await store.edgeStats(HOUR);
        expect(edge?.source).toBe('svc-a');
        expect(edge?.target).toBe('svc-b');
        expect(edge?.call_count).toBe(4);
        expect(edge?.error_count).toBe(1);
        // h = (4 - 1) * 0.95 = 2.85: 30 ms + 0.85 * (40 - 30) ms.
        expect(edge?.p95_duration_nano).toBeCloseTo(38_500_000, 0);
      });

      it('leaves unknown durations out of p95 only', async () => {
        await store.recordEdges([
          call(1, { duration_nano: 10n * MS }),
          call(2, { duration_nano: null }),
        ]);

        const [edge] = await store.edgeStats(HOUR);
        expect(edge?.call_count).toBe(2);
        expect(edge?.p95_duration_nano).toBeCloseTo(10_000_000, 0);
      });

      it('gives a null p95 when no duration is known', async () => {
        await store.recordEdges([call(1, { duration_nano: null })]);

        const [edge] = await store.edgeStats(HOUR);
        expect(edge?.p95_duration_nano).toBeNull();
      });

      it('includes the range start and excludes its end', async () => {
        await store.recordEdges([
          call(1, { time_unix_nano: T0 }),
          call(2, { time_unix_nano: T0 + 3_600_000n * MS - 1n }),
          call(3, { time_unix_nano: T0 + 3_600_000n * MS }),
          call(4, { time_unix_nano: T0 - 1n }),
        ]);

        const [edge] = await store.edgeStats(HOUR);
        expect(edge?.call_count).toBe(2);
      });

      it('sorts edges by source, then target', async () => {
        await store.recordEdges([
          call(1, { source: 'svc-b', target: 'svc-c' }),
          call(2, { source: 'svc-a', target: 'svc-c' }),
          call(3, { source: 'svc-a', target: 'svc-b' }),
        ]);

        const edges = await store.edgeStats(HOUR);
        expect(edges.map((e) => `${e.source}>${e.target}`)).toEqual([
          'svc-a>svc-b',
          'svc-a>svc-c',
          'svc-b>svc-c',
        ]);
      });

      it.each([
        [{ sources: ['svc-a'] }, ['svc-a>svc-b', 'svc-a>svc-c']],
        [{ targets: ['svc-c'] }, ['svc-a>svc-c', 'svc-b>svc-c']],
        [{ sources: ['svc-b', 'svc-x'] }, ['svc-b>svc-c']],
        [{ sources: ['svc-a'], targets: ['svc-c'] }, ['svc-a>svc-c']],
        [{ sources: [] }, []],
      ])('filters with %o', async (filter, expected) => {
        await store.recordEdges([
          call(1, { source: 'svc-a', target: 'svc-b' }),
          call(2, { source: 'svc-a', target: 'svc-c' }),
          call(3, { source: 'svc-b', target: 'svc-c' }),
        ]);

        const edges = await store.edgeStats({ ...HOUR, ...filter });
        expect(edges.map((e) => `${e.source}>${e.target}`)).toEqual(expected);
      });
    });

    describe('observed services', () => {
      const seen = (service: string, first: number, last: number) => ({
        service,
        first_seen_ms: T0_MS + first,
        last_seen_ms: T0_MS + last,
      });

      it('returns undefined for a service never seen', async () => {
        expect(await store.getService('svc-a')).toBeUndefined();
      });

      it('widens first and last seen across writes', async () => {
        await store.recordServices([seen('svc-a', 100, 200)]);
        await store.recordServices([seen('svc-a', 50, 150)]);
        await store.recordServices([seen('svc-a', 120, 300)]);

        expect(await store.getService('svc-a')).toEqual(seen('svc-a', 50, 300));
      });

      it('merges a service repeated in one batch', async () => {
        await store.recordServices([
          seen('svc-a', 100, 200),
          seen('svc-a', 10, 20),
        ]);

        expect(await store.getService('svc-a')).toEqual(seen('svc-a', 10, 200));
      });

      it('lists services by name after a given name', async () => {
        await store.recordServices([
          seen('svc-c', 0, 0),
          seen('svc-a', 0, 0),
          seen('svc-b', 0, 0),
          seen('svc-d', 0, 0),
        ]);

        const first = await store.listServices({ limit: 2 });
        const rest = await store.listServices({ after: 'svc-b', limit: 10 });

        expect(first.map((s) => s.service)).toEqual(['svc-a', 'svc-b']);
        expect(rest.map((s) => s.service)).toEqual(['svc-c', 'svc-d']);
      });
    });
  });
}
