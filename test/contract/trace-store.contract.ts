import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Span } from '#shared/model/span.js';
import type { TraceListQuery, TraceStore } from '#shared/store/ports.js';
import { MS, makeSpan } from '#test/support/spans.js';
import { operationStatsContract } from './trace-store-operation-stats.contract.js';

/** A fresh, empty store and a way to release it. */
export interface TraceStoreHarness {
  store: TraceStore;
  close(): Promise<void>;
}

const T0_MS = 1_780_000_000_000;
const T0 = BigInt(T0_MS) * MS;
const TRACE_A = '0af7651916cd43dd8448eb211c80319c';
const TRACE_B = '4bf92f3577b34da6a3ce929d0e0e4736';

function traceId(n: number): string {
  return n.toString(16).padStart(32, '0');
}

function spanId(n: number): string {
  return n.toString(16).padStart(16, '0');
}

/**
 * The behaviour every trace store adapter must share. Each adapter's test
 * file calls this with a factory that opens an empty store.
 */
export function traceStoreContract(
  adapter: string,
  open: () => Promise<TraceStoreHarness>,
): void {
  describe(`trace store contract: ${adapter}`, () => {
    let harness: TraceStoreHarness;
    let store: TraceStore;

    beforeEach(async () => {
      harness = await open();
      store = harness.store;
    });
    afterEach(() => harness.close());

    const query = (overrides: Partial<TraceListQuery> = {}) =>
      store.listTraces({
        service: 'svc-a',
        start_ms: T0_MS - 60_000,
        end_ms: T0_MS + 3_600_000,
        limit: 20,
        ...overrides,
      });

    describe('write and getTrace', () => {
      it('round-trips every span field exactly', async () => {
        const span = makeSpan({
          trace_id: TRACE_A,
          span_id: 'b7ad6b7169203331',
          parent_span_id: '00f067aa0ba902b7',
          trace_state: 'vendor=1',
          kind: 'client',
          start_time_unix_nano: T0 + 1n,
          end_time_unix_nano: T0 + 2n,
          status: { code: 'error', message: 'boom' },
          attributes: {
            big: { intValue: '9007199254740993' },
            'http.method': { stringValue: 'GET' },
            ratio: { doubleValue: 0.25 },
            nested: {
              kvlistValue: {
                values: [{ key: 'k', value: { arrayValue: { values: [] } } }],
              },
            },
          },
          resource: { 'service.name': { stringValue: 'svc-a' } },
          scope: { name: 'lib', version: '1.2', attributes: {} },
          events: [
            {
              time_unix_nano: T0 + 123_456_789n,
              name: 'retry',
              attributes: { n: { intValue: '-12' } },
              dropped_attributes_count: 1,
            },
          ],
          links: [
            {
              trace_id: TRACE_B,
              span_id: '53995c3f42cd8ad8',
              trace_state: '',
              attributes: {},
              dropped_attributes_count: 0,
            },
          ],
          dropped_attributes_count: 2,
          dropped_events_count: 3,
          dropped_links_count: 4,
        });

        await store.write([span]);

        expect(await store.getTrace(TRACE_A)).toEqual([span]);
      });

      it('keeps clock skew and incomplete flags with raw times', async () => {
        const skewed = makeSpan({
          trace_id: TRACE_A,
          span_id: spanId(1),
          start_time_unix_nano: T0,
          end_time_unix_nano: T0 - 50n * MS,
        });
        const open = makeSpan({
          trace_id: TRACE_A,
          span_id: spanId(2),
          start_time_unix_nano: T0,
          end_time_unix_nano: 0n,
        });

        await store.write([skewed, open]);
        const stored = await store.getTrace(TRACE_A);

        expect(stored).toContainEqual(skewed);
        expect(stored).toContainEqual(open);
      });

      it('returns no spans for an unknown trace', async () => {
        expect(await store.getTrace(TRACE_B)).toEqual([]);
      });

      it('never matches a trace id by its suffix', async () => {
        await store.write([makeSpan({ trace_id: TRACE_A })]);

        expect(await store.getTrace(TRACE_A.slice(16))).toEqual([]);
      });

      it('stores a re-sent batch once', async () => {
        const spans = [1, 2, 3].map((n) =>
          makeSpan({ trace_id: TRACE_A, span_id: spanId(n) }),
        );

        const first = await store.write(spans);
        const second = await store.write(spans);

        expect(first).toEqual({ written: 3, duplicates: 0, rejected: [] });
        expect(second).toEqual({ written: 0, duplicates: 3, rejected: [] });
        expect(await store.getTrace(TRACE_A)).toHaveLength(3);
      });

      it('keeps the stored span when a different one reuses its id', async () => {
        const original = makeSpan({ trace_id: TRACE_A, name: 'original' });
        await store.write([original]);

        await store.write([makeSpan({ trace_id: TRACE_A, name: 'other' })]);

        expect(await store.getTrace(TRACE_A)).toEqual([original]);
      });

      it('keeps the first of two spans with one id in a batch', async () => {
        const first = makeSpan({ trace_id: TRACE_A, name: 'first' });
        const second = makeSpan({ trace_id: TRACE_A, name: 'second' });

        const result = await store.write([first, second]);

        expect(result.written).toBe(1);
        expect(await store.getTrace(TRACE_A)).toEqual([first]);
      });

      it('writes an empty batch as a no-op', async () => {
        expect(await store.write([])).toEqual({
          written: 0,
          duplicates: 0,
          rejected: [],
        });
      });
    });

    describe('listTraces', () => {
      /** Builds trace `n`: a svc-a root and a svc-b child at T0 + startMs. */
      function trace(n: number, startMs: number, extra: Partial<Span> = {}) {
        const start = T0 + BigInt(startMs) * MS;
        return [
          makeSpan({
            trace_id: traceId(n),
            span_id: spanId(1),
            service: 'svc-a',
            name: 'GET /checkout',
            start_time_unix_nano: start,
            end_time_unix_nano: start + 30n * MS,
            ...extra,
          }),
          makeSpan({
            trace_id: traceId(n),
            span_id: spanId(2),
            parent_span_id: spanId(1),
            service: 'svc-b',
            name: 'SELECT',
            start_time_unix_nano: start + 10n * MS,
            end_time_unix_nano: start + 20n * MS,
          }),
        ];
      }

      it('summarizes each trace from all its spans', async () => {
        await store.write(trace(1, 0));

        const page = await query();

        expect(page.items).toEqual([
          {
            trace_id: traceId(1),
            root_service: 'svc-a',
            root_name: 'GET /checkout',
            start_time_unix_nano: T0,
            duration_nano: 30n * MS,
            span_count: 2,
            error_count: 0,
            services: ['svc-a', 'svc-b'],
          },
        ]);
        expect(page.next_cursor).toBeUndefined();
      });

      it('lists traces newest first by trace start', async () => {
        await store.write([
          ...trace(1, 0),
          ...trace(2, 2000),
          ...trace(3, 1000),
        ]);

        const page = await query();

        expect(page.items.map((t) => t.trace_id)).toEqual([
          traceId(2),
          traceId(3),
          traceId(1),
        ]);
      });

      it('lists traces where only a child span is the service', async () => {
        await store.write(trace(1, 0));

        const page = await query({ service: 'svc-b' });

        expect(page.items.map((t) => t.root_service)).toEqual(['svc-a']);
      });

      it('leaves out other services and spans outside the range', async () => {
        await store.write([
          ...trace(1, -120_000),
          ...trace(2, 3_600_000),
          ...trace(3, 0, { service: 'svc-c' }),
        ]);

        const page = await query();

        expect(page.items).toEqual([]);
      });

      it('pages with a cursor without gaps or repeats', async () => {
        const spans = [];
        // Traces 1-4 share a start so the trace id breaks ties.
        for (let n = 1; n <= 7; n += 1) spans.push(...trace(n, n <= 4 ? 0 : n));
        await store.write(spans);

        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await query({ limit: 2, cursor });
          expect(page.items.length).toBeLessThanOrEqual(2);
          seen.push(...page.items.map((t) => t.trace_id));
          cursor = page.next_cursor;
        } while (cursor);

        expect(seen).toEqual([7, 6, 5, 4, 3, 2, 1].map(traceId));
      });

      it('omits next_cursor when the page holds the rest', async () => {
        await store.write([...trace(1, 0), ...trace(2, 1)]);

        const page = await query({ limit: 2 });

        expect(page.items).toHaveLength(2);
        expect(page.next_cursor).toBeUndefined();
      });

      it('measures duration without skewed or incomplete spans', async () => {
        const spans = trace(1, 0);
        spans.push(
          makeSpan({
            trace_id: traceId(1),
            span_id: spanId(3),
            start_time_unix_nano: T0 + 5n * MS,
            end_time_unix_nano: T0 - 900n * MS,
          }),
          makeSpan({
            trace_id: traceId(1),
            span_id: spanId(4),
            start_time_unix_nano: T0 + 5n * MS,
            end_time_unix_nano: 0n,
          }),
        );
        await store.write(spans);

        const [summary] = (await query()).items;

        expect(summary?.start_time_unix_nano).toBe(T0);
        expect(summary?.duration_nano).toBe(30n * MS);
      });

      it('summarizes spans that start hours from the range', async () => {
        // A consumer picks the message up five hours after the root.
        const late = T0 + 5n * 3_600_000n * MS;
        const spans = trace(1, 0);
        spans.push(
          makeSpan({
            trace_id: traceId(1),
            span_id: spanId(3),
            parent_span_id: spanId(1),
            service: 'svc-c',
            start_time_unix_nano: late,
            end_time_unix_nano: late + 10n * MS,
          }),
        );
        await store.write(spans);

        const [summary] = (await query()).items;
        const [lateHit] = (
          await query({
            service: 'svc-c',
            start_ms: T0_MS + 4 * 3_600_000,
            end_ms: T0_MS + 6 * 3_600_000,
          })
        ).items;

        expect(summary?.span_count).toBe(3);
        expect(summary?.duration_nano).toBe(late + 10n * MS - T0);
        expect(summary?.services).toEqual(['svc-a', 'svc-b', 'svc-c']);
        expect(lateHit?.trace_id).toBe(traceId(1));
        expect(lateHit?.start_time_unix_nano).toBe(T0);
        expect(lateHit?.root_service).toBe('svc-a');
      });

      it('summarizes a trace written over several batches', async () => {
        const [root, child] = trace(1, 0);
        const early = makeSpan({
          trace_id: traceId(1),
          span_id: spanId(3),
          parent_span_id: spanId(1),
          start_time_unix_nano: T0 - 2n * 3_600_000n * MS,
          end_time_unix_nano: T0 - 2n * 3_600_000n * MS + MS,
        });
        await store.write(child ? [child] : []);
        await store.write(root ? [root] : []);
        await store.write([early]);

        const [summary] = (await query()).items;

        expect(summary?.span_count).toBe(3);
        expect(summary?.start_time_unix_nano).toBe(early.start_time_unix_nano);
      });

      it('takes an orphan as root while its parent is missing', async () => {
        const [, child] = trace(1, 0);
        await store.write(child ? [child] : []);

        const [summary] = (await query({ service: 'svc-b' })).items;

        expect(summary?.root_service).toBe('svc-b');
        expect(summary?.root_name).toBe('SELECT');
      });

      it.each([
        [{ min_duration_nano: 31n * MS }, [2]],
        [{ min_duration_nano: 41n * MS }, []],
        [{ min_duration_nano: 30n * MS }, [1, 2]],
        [{ max_duration_nano: 30n * MS }, [1]],
        [{ max_duration_nano: 29n * MS }, []],
        [{ errors_only: true }, [2]],
        [{ operation: 'GET /checkout' }, [1, 2]],
        [{ operation: 'SELECT' }, []],
      ] as const)('filters with %o', async (filter, expected) => {
        // Trace 1 lasts 30 ms; trace 2 lasts 40 ms and has an error.
        const erroring = trace(2, 1000, {
          status: { code: 'error', message: '' },
          end_time_unix_nano: T0 + 1040n * MS,
        });
        await store.write([...trace(1, 0), ...erroring]);

        const page = await query(filter);

        expect(page.items.map((t) => t.trace_id).sort()).toEqual(
          expected.map(traceId),
        );
      });

      it.each([
        ['a string attribute', { 'http.method': 'POST' }, [2]],
        ['an integer as text', { 'http.status_code': '500' }, [2]],
        ['a 64-bit integer', { big: '9007199254740993' }, [2]],
        ['a boolean', { retried: 'true' }, [2]],
        ['a double', { ratio: '0.5' }, [2]],
        ['a key with a slash', { 'a/b~c': 'x' }, [2]],
        ['a resource attribute', { 'deployment.environment': 'prod' }, [1]],
        ['two attributes', { 'http.method': 'POST', retried: 'true' }, [2]],
        ['a mismatch', { 'http.method': 'GET' }, []],
        ['an absent key', { missing: 'x' }, []],
      ])('filters on %s', async (_label, attributes, expected) => {
        const plain = trace(1, 0, {
          resource: { 'deployment.environment': { stringValue: 'prod' } },
        });
        const tagged = trace(2, 1000, {
          attributes: {
            'http.method': { stringValue: 'POST' },
            'http.status_code': { intValue: '500' },
            big: { intValue: '9007199254740993' },
            retried: { boolValue: true },
            ratio: { doubleValue: 0.5 },
            'a/b~c': { stringValue: 'x' },
          },
        });
        await store.write([...plain, ...tagged]);

        const page = await query({ attributes });

        expect(page.items.map((t) => t.trace_id).sort()).toEqual(
          expected.map(traceId),
        );
      });

      it('matches operation and attributes on the same span', async () => {
        await store.write(
          trace(1, 0, { attributes: { 'db.system': { stringValue: 'pg' } } }),
        );

        const page = await query({
          service: 'svc-b',
          attributes: { 'db.system': 'pg' },
        });

        expect(page.items).toEqual([]);
      });
    });
  });

  operationStatsContract(adapter, open);
}
