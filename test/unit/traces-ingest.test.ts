import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '#shared/clock.js';
import type { Deps } from '#shared/deps.js';
import { createLogger } from '#shared/logger.js';
import { openDuckDbStores } from '#shared/store/duckdb/stores.js';
import { MAX_ATTRIBUTE_VALUE_BYTES } from '#shared/traces/caps.js';
import { ingestSpans } from '#shared/traces/ingest.js';
import { TEST_CONFIG } from '#test/support/server.js';
import { MS, makeSpan } from '#test/support/spans.js';

const NOW_MS = Date.parse('2026-02-20T15:00:00.000Z');
const T0 = BigInt(NOW_MS - 60_000) * MS;
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';

let deps: Deps;

beforeEach(async () => {
  const logger = createLogger('traces-ingest-test');
  logger.setLogLevel('SILENT');
  deps = {
    config: TEST_CONFIG,
    stores: await openDuckDbStores(':memory:'),
    clock: fixedClock(NOW_MS),
    logger,
  };
});
afterEach(() => deps.stores.close());

const span = (spanId: string, extra: Parameters<typeof makeSpan>[0] = {}) =>
  makeSpan({
    trace_id: TRACE_ID,
    span_id: spanId,
    start_time_unix_nano: T0,
    end_time_unix_nano: T0 + 10n * MS,
    ...extra,
  });

describe('ingestSpans', () => {
  it('stores valid spans and accepts them', async () => {
    const report = await ingestSpans(deps, [
      span('0000000000000001'),
      span('0000000000000002'),
    ]);

    expect(report).toEqual({ accepted: 2, rejected: [] });
    expect(await deps.stores.traces.getTrace(TRACE_ID)).toHaveLength(2);
  });

  it('rejects a different span with a repeated id', async () => {
    const report = await ingestSpans(deps, [
      span('0000000000000001', { name: 'first' }),
      span('0000000000000002'),
      span('0000000000000001', { name: 'second' }),
    ]);
    const stored = await deps.stores.traces.getTrace(TRACE_ID);

    expect(report.accepted).toBe(2);
    expect(report.rejected).toEqual([
      { index: 2, reason: expect.stringContaining('index 0') },
    ]);
    expect(stored.find((s) => s.span_id === '0000000000000001')?.name).toBe(
      'first',
    );
  });

  it('accepts an identical repeat and stores it once', async () => {
    const report = await ingestSpans(deps, [
      span('0000000000000001'),
      span('0000000000000001'),
    ]);

    expect(report).toEqual({ accepted: 2, rejected: [] });
    expect(await deps.stores.traces.getTrace(TRACE_ID)).toHaveLength(1);
  });

  it('compares every repeat with the first span', async () => {
    const report = await ingestSpans(deps, [
      span('0000000000000001', { name: 'first' }),
      span('0000000000000001', { name: 'second' }),
      span('0000000000000001', { name: 'first' }),
      span('0000000000000001', { name: 'second' }),
    ]);

    expect(report.accepted).toBe(2);
    expect(report.rejected.map((r) => r.index)).toEqual([1, 3]);
  });

  it('treats attributes in another key order as identical', async () => {
    const a = { stringValue: 'a' };
    const b = { intValue: '2' };

    const report = await ingestSpans(deps, [
      span('0000000000000001', { attributes: { a, b } }),
      span('0000000000000001', { attributes: { b, a } }),
    ]);

    expect(report.rejected).toEqual([]);
  });

  it('accepts a re-sent batch without storing it twice', async () => {
    const batch = [span('0000000000000001'), span('0000000000000002')];

    await ingestSpans(deps, batch);
    const again = await ingestSpans(deps, batch);

    expect(again).toEqual({ accepted: 2, rejected: [] });
    expect(await deps.stores.traces.getTrace(TRACE_ID)).toHaveLength(2);
  });

  it.each([
    [
      'a start too old',
      { start_time_unix_nano: T0 - 8n * 24n * 3600_000n * MS },
      'older',
    ],
    [
      'a start in the future',
      { start_time_unix_nano: T0 + 3600_000n * MS },
      'future',
    ],
    [
      'an end in the future',
      { end_time_unix_nano: T0 + 3600_000n * MS },
      'end time',
    ],
  ])('rejects %s', async (_label, times, expected) => {
    const report = await ingestSpans(deps, [
      span('0000000000000001'),
      span('0000000000000002', times),
    ]);

    expect(report.accepted).toBe(1);
    expect(report.rejected).toEqual([
      { index: 1, reason: expect.stringContaining(expected) },
    ]);
  });

  it('accepts an end of zero as an incomplete span', async () => {
    const report = await ingestSpans(deps, [
      span('0000000000000001', { end_time_unix_nano: 0n }),
    ]);
    const [stored] = await deps.stores.traces.getTrace(TRACE_ID);

    expect(report).toEqual({ accepted: 1, rejected: [] });
    expect(stored?.incomplete).toBe(true);
  });

  it('stores spans with attribute caps applied', async () => {
    const long = 'x'.repeat(MAX_ATTRIBUTE_VALUE_BYTES * 2);

    await ingestSpans(deps, [
      span('0000000000000001', { attributes: { q: { stringValue: long } } }),
    ]);
    const [stored] = await deps.stores.traces.getTrace(TRACE_ID);
    const value = stored?.attributes.q ?? {};
    const text = 'stringValue' in value ? value.stringValue : '';

    expect(text).toHaveLength(MAX_ATTRIBUTE_VALUE_BYTES - 2);
    expect(text.endsWith('…')).toBe(true);
  });
});
