import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TopologyStore } from '#shared/store/ports.js';
import type { EdgeObservation } from '#shared/topology/model.js';
import { MS } from '#test/support/spans.js';
import type { TopologyStoreHarness } from './topology-store.contract.js';

const T0_MS = 1_780_000_000_000;
const T0 = BigInt(T0_MS) * MS;
const TRACE = '7ca373f7c7e0f17df9965485593768ce';

/** The range [T0 - 1 h, T0 + 3 h). */
const RANGE = { start_ms: T0_MS - 3_600_000, end_ms: T0_MS + 10_800_000 };

/** Call `n` from svc-a to svc-b at T0 + n s. */
function call(n: number, overrides: Partial<EdgeObservation> = {}) {
  return {
    trace_id: TRACE,
    child_span_id: n.toString(16).padStart(16, '0'),
    source: 'svc-a',
    target: 'svc-b',
    time_unix_nano: T0 + BigInt(n) * 1_000n * MS,
    duration_nano: 10n * MS,
    failed: false,
    ...overrides,
  } satisfies EdgeObservation;
}

/**
 * Defines the cases of a stored key sent again with other fields, which
 * observations derived from stored spans never are. Every topology store
 * adapter runs them.
 */
export function topologyStoreRepeatsContract(
  adapter: string,
  open: () => Promise<TopologyStoreHarness>,
): void {
  describe(`topology store repeated keys: ${adapter}`, () => {
    let harness: TopologyStoreHarness;
    let store: TopologyStore;

    beforeEach(async () => {
      harness = await open();
      store = harness.store;
    });
    afterEach(() => harness.close());

    it('keeps a stored key sent again at another time', async () => {
      await store.recordEdges([call(1)]);

      const moved = call(1, { time_unix_nano: T0 + 7_200_000n * MS });
      const written = await store.recordEdges([moved]);

      const hours = await store.edgeStats({
        start_ms: T0_MS,
        end_ms: T0_MS + 3_600_000,
      });
      expect(written).toBe(0);
      expect(hours[0]?.call_count).toBe(1);
    });

    it('records new keys beside a stored key moved in time', async () => {
      await store.recordEdges([call(1)]);

      const moved = call(1, { time_unix_nano: T0 + 7_200_000n * MS });
      const written = await store.recordEdges([moved, call(2)]);

      const [edge, ...rest] = await store.edgeStats(RANGE);
      expect(written).toBe(1);
      expect(edge?.call_count).toBe(2);
      expect(rest).toEqual([]);
    });

    it('keeps a stored key sent again with another target', async () => {
      await store.recordEdges([call(1)]);

      await store.recordEdges([call(1, { target: 'svc-c' })]);

      const edges = await store.edgeStats(RANGE);
      expect(edges.map((e) => `${e.source}>${e.target}`)).toEqual([
        'svc-a>svc-b',
      ]);
    });
  });
}
