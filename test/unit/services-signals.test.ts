import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Span } from '#shared/model/span.js';
import { goldenSignals, msFromNanoseconds } from '#shared/services/signals.js';
import type { TimeWindow } from '#shared/services/window.js';
import { DuckDb } from '#shared/store/duckdb/database.js';
import { DuckDbTraceStore } from '#shared/store/duckdb/trace-store.js';
import { MS, makeSpan } from '#test/support/spans.js';

const T0_MS = 1_780_000_000_000;
const T0 = BigInt(T0_MS) * MS;

/** The minute from T0. */
const MINUTE: TimeWindow = {
  text: '1m',
  start_ms: T0_MS,
  end_ms: T0_MS + 60_000,
};

let counter = 0;

/** Builds a server span of svc-a from T0 + `offsetMs`, lasting `ms`. */
function span(ms: bigint, overrides: Partial<Span> = {}, offsetMs = 0n) {
  counter += 1;
  const start = T0 + offsetMs * MS;
  return makeSpan({
    trace_id: counter.toString(16).padStart(32, 'a'),
    span_id: counter.toString(16).padStart(16, 'b'),
    service: 'svc-a',
    kind: 'server',
    start_time_unix_nano: start,
    end_time_unix_nano: start + ms * MS,
    ...overrides,
  });
}

let db: DuckDb;
let traces: DuckDbTraceStore;

beforeEach(async () => {
  db = await DuckDb.open(':memory:');
  traces = new DuckDbTraceStore(db);
  await traces.init();
});
afterEach(() => db.close());

describe('goldenSignals', () => {
  it('counts server and consumer spans, not client or internal', async () => {
    await traces.write([
      span(10n),
      span(20n, { kind: 'consumer' }),
      span(30n, { kind: 'client' }),
      span(40n, { kind: 'internal' }),
    ]);

    const signals = await goldenSignals(traces, 'svc-a', MINUTE);

    expect(signals.basis).toBe('server');
    expect(signals.request_count).toBe(2);
    expect(signals.latency_ms.p50).toBe(15);
  });

  it('falls back to root spans without server spans', async () => {
    const root = span(50n, { kind: 'internal' });
    await traces.write([
      root,
      span(5n, { kind: 'client', parent_span_id: root.span_id }),
    ]);

    const signals = await goldenSignals(traces, 'svc-a', MINUTE);

    expect(signals.basis).toBe('root');
    expect(signals.request_count).toBe(1);
    expect(signals.latency_ms.p99).toBe(50);
  });

  it('gives rates per second and error share', async () => {
    await traces.write([
      span(10n, { status: { code: 'error', message: 'boom' } }),
      span(10n, { status: { code: 'ok', message: '' } }),
      span(10n),
    ]);

    const signals = await goldenSignals(traces, 'svc-a', MINUTE);

    expect(signals.request_rate).toBeCloseTo(3 / 60, 12);
    expect(signals.error_rate).toBeCloseTo(1 / 3, 12);
  });

  it('counts spans of unknown duration as requests only', async () => {
    const skewed = span(0n, { end_time_unix_nano: T0 - 1n });
    const open = span(0n, { end_time_unix_nano: 0n });
    await traces.write([span(8n), skewed, open]);

    const signals = await goldenSignals(traces, 'svc-a', MINUTE);

    expect(signals.request_count).toBe(3);
    expect(signals.latency_ms).toEqual({ p50: 8, p95: 8, p99: 8 });
  });

  it('keeps to the window, start included and end excluded', async () => {
    await traces.write([
      span(10n, {}, 0n),
      span(10n, {}, 59_999n),
      span(10n, {}, 60_000n),
      span(10n, {}, -1n),
    ]);

    const signals = await goldenSignals(traces, 'svc-a', MINUTE);

    expect(signals.request_count).toBe(2);
    expect(signals.start).toBe(new Date(T0_MS).toISOString());
  });

  it('returns nulls without requests', async () => {
    const signals = await goldenSignals(traces, 'svc-a', MINUTE);

    expect(signals).toMatchObject({
      basis: 'root',
      request_count: 0,
      request_rate: 0,
      error_rate: null,
      latency_ms: { p50: null, p95: null, p99: null },
    });
  });
});

describe('msFromNanoseconds', () => {
  it.each([
    [38_499_999.99999999, 38.5],
    [1_234_567, 1.235],
    [0, 0],
    [null, null],
  ])('turns %s ns into %s ms', (nanos, ms) => {
    expect(msFromNanoseconds(nanos)).toBe(ms);
  });
});
