import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '#shared/clock.js';
import type { Deps } from '#shared/deps.js';
import { createLogger } from '#shared/logger.js';
import type { Span } from '#shared/model/span.js';
import { openDuckDbStores } from '#shared/store/duckdb/stores.js';
import { serviceSignals } from '#shared/traces/statistics.js';
import { TEST_CONFIG } from '#test/support/server.js';
import { MS, makeSpan } from '#test/support/spans.js';

const T0_MS = 1_780_000_000_000;
const T0 = BigInt(T0_MS) * MS;
const RANGE = [T0_MS, T0_MS + 10_000] as const;

let deps: Deps;
let nextId = 0;

beforeEach(async () => {
  const logger = createLogger('observatory-test');
  logger.setLogLevel('SILENT');
  deps = {
    config: TEST_CONFIG,
    stores: await openDuckDbStores(':memory:'),
    clock: fixedClock(T0_MS),
    logger,
  };
});
afterEach(() => deps.stores.close());

/** Builds a span of svc-a lasting `durationMs`, starting at T0. */
function spanOf(durationMs: number, extra: Partial<Span> = {}): Span {
  nextId += 1;
  return makeSpan({
    trace_id: nextId.toString(16).padStart(32, '0'),
    span_id: nextId.toString(16).padStart(16, '0'),
    service: 'svc-a',
    start_time_unix_nano: T0,
    end_time_unix_nano: T0 + BigInt(durationMs) * MS,
    ...extra,
  });
}

const error = { status: { code: 'error' as const, message: '' } };
const child = { parent_span_id: 'f'.repeat(16) };

describe('serviceSignals', () => {
  it('uses server and consumer spans when there are any', async () => {
    await deps.stores.traces.write([
      spanOf(10, { kind: 'server' }),
      spanOf(20, { kind: 'server', ...error }),
      spanOf(30, { kind: 'consumer', ...child }),
      spanOf(40, { kind: 'server' }),
      spanOf(900, { kind: 'client', ...child }),
      spanOf(900, { kind: 'internal' }),
    ]);

    const signals = await serviceSignals(deps, 'svc-a', ...RANGE);

    expect(signals.basis).toBe('server');
    expect(signals.request_count).toBe(4);
    expect(signals.request_rate).toBeCloseTo(0.4, 12);
    expect(signals.error_count).toBe(1);
    expect(signals.error_rate).toBe(0.25);
    expect(signals.p50_ms).toBeCloseTo(25, 9);
    expect(signals.p95_ms).toBeCloseTo(38.5, 9);
    expect(signals.p99_ms).toBeCloseTo(39.7, 9);
  });

  it('falls back to root spans without server spans', async () => {
    await deps.stores.traces.write([
      spanOf(10, { kind: 'internal' }),
      spanOf(30, { kind: 'producer', ...error }),
      spanOf(500, { kind: 'internal', ...child }),
    ]);

    const signals = await serviceSignals(deps, 'svc-a', ...RANGE);

    expect(signals.basis).toBe('root');
    expect(signals.request_count).toBe(2);
    expect(signals.error_rate).toBe(0.5);
    expect(signals.p50_ms).toBeCloseTo(20, 9);
    expect(signals.p99_ms).toBeCloseTo(29.8, 9);
  });

  it('returns nulls, not NaN, without spans', async () => {
    const signals = await serviceSignals(deps, 'svc-a', ...RANGE);

    expect(signals).toEqual({
      basis: 'root',
      request_count: 0,
      request_rate: 0,
      error_count: 0,
      error_rate: null,
      p50_ms: null,
      p95_ms: null,
      p99_ms: null,
    });
  });

  it('rejects an empty range', async () => {
    await expect(serviceSignals(deps, 'svc-a', T0_MS, T0_MS)).rejects.toThrow(
      RangeError,
    );
  });
});
