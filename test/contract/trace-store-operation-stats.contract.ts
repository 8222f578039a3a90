import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { percentile, sortAscending } from '#shared/model/percentile.js';
import type { Span } from '#shared/model/span.js';
import type { OperationStatsQuery, TraceStore } from '#shared/store/ports.js';
import { MS, makeSpan } from '#test/support/spans.js';
import type { TraceStoreHarness } from './trace-store.contract.js';

const T0_MS = 1_780_000_000_000;
const T0 = BigInt(T0_MS) * MS;
const TRACE = 'c0ffee0000000000000000000000c0de';

let nextSpanId = 1;

/** Builds a span of svc-a named `name`, starting `atMs` after T0. */
function timed(
  name: string,
  durationMs: number,
  extra: Partial<Span> = {},
  atMs = 0,
): Span {
  const start = T0 + BigInt(atMs) * MS;
  nextSpanId += 1;
  return makeSpan({
    trace_id: TRACE,
    span_id: nextSpanId.toString(16).padStart(16, '0'),
    service: 'svc-a',
    name,
    start_time_unix_nano: start,
    end_time_unix_nano: start + BigInt(durationMs * 1_000_000),
    ...extra,
  });
}

const msNanos = (ms: number) => ms * 1_000_000;

/**
 * The `operationStats` behaviour every trace store adapter must share,
 * called from the trace store contract with the same factory.
 */
export function operationStatsContract(
  adapter: string,
  open: () => Promise<TraceStoreHarness>,
): void {
  describe(`trace store operationStats: ${adapter}`, () => {
    let harness: TraceStoreHarness;
    let store: TraceStore;

    beforeEach(async () => {
      harness = await open();
      store = harness.store;
    });
    afterEach(() => harness.close());

    const stats = (overrides: Partial<OperationStatsQuery> = {}) =>
      store.operationStats({
        service: 'svc-a',
        start_ms: T0_MS,
        end_ms: T0_MS + 60_000,
        ...overrides,
      });

    it('aggregates each operation and the total', async () => {
      const error = { status: { code: 'error' as const, message: 'x' } };
      await store.write([
        timed('GET /a', 10),
        timed('GET /a', 20, error),
        timed('GET /a', 30),
        timed('GET /a', 40),
        timed('GET /b', 5),
      ]);

      const result = await stats();

      expect(result.operations.map((o) => o.operation)).toEqual([
        'GET /a',
        'GET /b',
      ]);
      const a = result.operations[0];
      expect(a?.span_count).toBe(4);
      expect(a?.error_count).toBe(1);
      expect(a?.duration.count).toBe(4);
      expect(a?.duration.min_nano).toBe(msNanos(10));
      expect(a?.duration.max_nano).toBe(msNanos(40));
      expect(a?.duration.mean_nano).toBe(msNanos(25));
      // h = 3q over [10, 20, 30, 40] ms.
      expect(a?.duration.p50_nano).toBeCloseTo(msNanos(25), 3);
      expect(a?.duration.p90_nano).toBeCloseTo(msNanos(37), 3);
      expect(a?.duration.p95_nano).toBeCloseTo(msNanos(38.5), 3);
      expect(a?.duration.p99_nano).toBeCloseTo(msNanos(39.7), 3);

      // The total ranks all five spans together: h = 4q.
      expect(result.total.span_count).toBe(5);
      expect(result.total.error_count).toBe(1);
      expect(result.total.duration.min_nano).toBe(msNanos(5));
      expect(result.total.duration.mean_nano).toBe(msNanos(21));
      expect(result.total.duration.p50_nano).toBeCloseTo(msNanos(20), 3);
      expect(result.total.duration.p90_nano).toBeCloseTo(msNanos(36), 3);
      expect(result.total.duration.p99_nano).toBeCloseTo(msNanos(39.6), 3);
    });

    it('matches the in-memory percentile definition', async () => {
      // 101 durations from a fixed linear congruential sequence.
      const durations: number[] = [];
      let seed = 12345;
      for (let i = 0; i < 101; i += 1) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        durations.push(seed % 5000);
      }
      await store.write(durations.map((ms) => timed('op', ms)));

      const { duration } = (await stats()).total;
      const nanos = sortAscending(durations.map(msNanos));

      expect(duration.p50_nano).toBe(percentile(nanos, 0.5));
      expect(duration.p90_nano).toBe(percentile(nanos, 0.9));
      expect(duration.p95_nano).toBe(percentile(nanos, 0.95));
      expect(duration.p99_nano).toBe(percentile(nanos, 0.99));
    });

    it('sorts operations by span count, then name', async () => {
      await store.write([
        timed('b', 1),
        timed('c', 1),
        timed('c', 1),
        timed('a', 1),
      ]);

      const result = await stats();

      expect(result.operations.map((o) => o.operation)).toEqual([
        'c',
        'a',
        'b',
      ]);
    });

    it('returns zero counts and null durations for no spans', async () => {
      const result = await stats();

      expect(result.operations).toEqual([]);
      expect(result.total).toEqual({
        span_count: 0,
        error_count: 0,
        duration: {
          count: 0,
          min_nano: null,
          max_nano: null,
          mean_nano: null,
          p50_nano: null,
          p90_nano: null,
          p95_nano: null,
          p99_nano: null,
        },
      });
    });

    it('counts skewed and incomplete spans without durations', async () => {
      await store.write([
        timed('op', 10, { end_time_unix_nano: T0 - 50n * MS }),
        timed('op', 10, { end_time_unix_nano: 0n }),
        timed('op', 8),
        timed('skewed', 10, { end_time_unix_nano: T0 - 1n }),
      ]);

      const result = await stats();
      const op = result.operations.find((o) => o.operation === 'op');
      const skewed = result.operations.find((o) => o.operation === 'skewed');

      expect(op?.span_count).toBe(3);
      expect(op?.duration.count).toBe(1);
      expect(op?.duration.max_nano).toBe(msNanos(8));
      expect(op?.duration.p99_nano).toBe(msNanos(8));
      expect(skewed?.span_count).toBe(1);
      expect(skewed?.duration.count).toBe(0);
      expect(skewed?.duration.p50_nano).toBeNull();
      expect(skewed?.duration.mean_nano).toBeNull();
    });

    it('leaves out other services and spans outside the range', async () => {
      await store.write([
        timed('in', 1),
        timed('in', 1, {}, 59_999),
        timed('late', 1, {}, 60_000),
        timed('early', 1, {}, -1),
        timed('other', 1, { service: 'svc-b' }),
      ]);

      const result = await stats();

      expect(result.operations.map((o) => o.operation)).toEqual(['in']);
      expect(result.total.span_count).toBe(2);
    });

    it('filters on span kinds and on roots', async () => {
      await store.write([
        timed('server', 1, { kind: 'server' }),
        timed('consumer', 1, { kind: 'consumer' }),
        timed('client', 1, { kind: 'client', parent_span_id: 'f'.repeat(16) }),
      ]);

      const byKind = await stats({ span_kinds: ['server', 'consumer'] });
      const roots = await stats({ roots_only: true });

      expect(byKind.operations.map((o) => o.operation).sort()).toEqual([
        'consumer',
        'server',
      ]);
      expect(roots.total.span_count).toBe(2);
      expect(roots.operations.map((o) => o.operation)).not.toContain('client');
    });

    it('counts a span once when its id arrives twice', async () => {
      const first = timed('op', 10);
      const copy = { ...first, name: 'other' };
      await store.write([first, copy]);
      await store.write([first]);

      const result = await stats();

      expect(result.total.span_count).toBe(1);
      expect(result.operations.map((o) => o.operation)).toEqual(['op']);
    });
  });
}
