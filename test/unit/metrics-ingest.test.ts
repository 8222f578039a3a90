import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '#shared/clock.js';
import type { Deps } from '#shared/deps.js';
import { createLogger } from '#shared/logger.js';
import { ingestMetricPoints } from '#shared/metrics/ingest.js';
import type { MetricPoint } from '#shared/model/metric.js';
import { openDuckDbStores } from '#shared/store/duckdb/stores.js';
import { gauge, T0 } from '#test/contract/metric-store.contract.js';
import { TEST_CONFIG } from '#test/support/server.js';

let deps: Deps;

beforeEach(async () => {
  const logger = createLogger('metrics-ingest-test');
  logger.setLogLevel('SILENT');
  deps = {
    config: TEST_CONFIG,
    stores: await openDuckDbStores(':memory:'),
    clock: fixedClock(T0 + 60_000),
    logger,
  };
});
afterEach(() => deps.stores.close());

const exponential = (count: number): MetricPoint =>
  gauge(
    0,
    {},
    {
      name: 'rpc.size',
      type: 'histogram',
      value: null,
      exponential_histogram: {
        scale: 2,
        zero_count: 1,
        zero_threshold: 0,
        positive: { offset: 0, counts: [2, 3] },
        negative: { offset: 0, counts: [] },
        count,
        sum: 10,
        min: 0,
        max: 4,
      },
    },
  );

describe('ingestMetricPoints', () => {
  it('reports store conflicts under request indexes', async () => {
    await ingestMetricPoints(deps, [gauge(0.5, { host: 'a' })]);

    const report = await ingestMetricPoints(deps, [
      gauge(Number.NaN, { host: 'x' }),
      gauge(0.3, { host: 'b' }),
      gauge(0.7, { host: 'a' }),
    ]);

    expect(report.accepted).toBe(1);
    expect(report.rejected.map((r) => r.index)).toEqual([0, 2]);
    expect(report.rejected[0]?.reason).toMatch(/^value: must be a finite/);
    expect(report.rejected[1]?.reason).toContain('stored point');
    expect(report.rejected[1]?.reason).toContain('value 0.5');
  });

  it('counts identical repeats in a batch as accepted', async () => {
    const report = await ingestMetricPoints(deps, [
      gauge(0.5, { host: 'a' }),
      gauge(0.5, { host: 'a' }),
    ]);

    expect(report).toEqual({ accepted: 2, rejected: [] });
  });

  it('accepts a consistent exponential histogram', async () => {
    const report = await ingestMetricPoints(deps, [exponential(6)]);

    expect(report).toEqual({ accepted: 1, rejected: [] });
  });

  it.each<[string, MetricPoint, RegExp]>([
    [
      'an exponential count unlike its buckets',
      exponential(7),
      /^exponential_histogram\.count: is 7 but the buckets hold 6/,
    ],
    [
      'an infinite gauge',
      gauge(Number.POSITIVE_INFINITY, {}),
      /^value: must be a finite/,
    ],
    [
      'a negative monotonic counter',
      gauge(-1, {}, { type: 'counter', monotonic: true }),
      /^value: must not be negative/,
    ],
    [
      'a histogram without buckets',
      gauge(0, {}, { type: 'histogram', value: null }),
      /^histogram: is missing/,
    ],
    [
      'a timestamp older than the window',
      gauge(1, {}, { timestamp_ms: T0 - TEST_CONFIG.ingestMaxAgeMs }),
      /^timestamp: .*older than the accepted window/,
    ],
    [
      'a start after the timestamp',
      gauge(1, {}, { start_timestamp_ms: T0 + 1 }),
      /^start_timestamp: must not be after/,
    ],
    ['an empty service', gauge(1, {}, { service: ' ' }), /^service: is empty/],
  ])('rejects %s', async (_case, point, reason) => {
    const report = await ingestMetricPoints(deps, [point]);

    expect(report.accepted).toBe(0);
    expect(report.rejected[0]?.reason).toMatch(reason);
  });

  it('keeps a negative non-monotonic counter', async () => {
    const report = await ingestMetricPoints(deps, [
      gauge(-3, {}, { type: 'counter', monotonic: false }),
    ]);

    expect(report).toEqual({ accepted: 1, rejected: [] });
  });
});
