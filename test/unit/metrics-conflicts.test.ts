import { describe, expect, it } from 'vitest';
import {
  type IndexedPoint,
  resolveBatchConflicts,
} from '#shared/metrics/conflicts.js';
import { gauge, histogram, T0 } from '#test/contract/metric-store.contract.js';

const indexed = (...points: IndexedPoint['point'][]): IndexedPoint[] =>
  points.map((point, index) => ({ index, point }));

describe('resolveBatchConflicts', () => {
  it('keeps the first of two values for one series and time', () => {
    const batch = resolveBatchConflicts(
      indexed(
        gauge(0.5, { host: 'host-a' }),
        gauge(0.7, { host: 'host-a' }),
        gauge(0.3, { host: 'host-b' }),
      ),
    );

    expect(batch.unique.map((item) => item.index)).toEqual([0, 2]);
    expect(batch.unique[0]?.point.value).toBe(0.5);
    expect(batch.repeats).toBe(0);
    expect(batch.rejected).toHaveLength(1);
    expect(batch.rejected[0]?.index).toBe(1);
    expect(batch.rejected[0]?.reason).toMatch(/^timestamp: conflicts with/);
    expect(batch.rejected[0]?.reason).toContain('point 0');
    expect(batch.rejected[0]?.reason).toContain('value 0.5');
  });

  it('counts an identical repeat instead of rejecting it', () => {
    const batch = resolveBatchConflicts(
      indexed(gauge(0.5, { host: 'a' }), gauge(0.5, { host: 'a' })),
    );

    expect(batch.unique).toHaveLength(1);
    expect(batch.repeats).toBe(1);
    expect(batch.rejected).toEqual([]);
  });

  it('treats label order as irrelevant', () => {
    const batch = resolveBatchConflicts(
      indexed(
        gauge(0.5, { host: 'a', zone: 'z' }),
        gauge(0.6, { zone: 'z', host: 'a' }),
      ),
    );

    expect(batch.rejected.map((r) => r.index)).toEqual([1]);
  });

  it.each([
    ['timestamp', { timestamp_ms: T0 + 1 }],
    ['start time', { start_timestamp_ms: T0 - 1 }],
    ['service', { service: 'web' }],
    ['name', { name: 'cpu.idle' }],
  ])('keeps both points when the %s differs', (_field, overrides) => {
    const batch = resolveBatchConflicts(
      indexed(gauge(0.5, { host: 'a' }), gauge(0.7, { host: 'a' }, overrides)),
    );

    expect(batch.unique).toHaveLength(2);
    expect(batch.rejected).toEqual([]);
  });

  it('compares histograms by their buckets', () => {
    const batch = resolveBatchConflicts(
      indexed(
        histogram([1, 2, 0], 1.5),
        histogram([1, 2, 0], 1.5),
        histogram([0, 3, 0], 1.5),
      ),
    );

    expect(batch.repeats).toBe(1);
    expect(batch.rejected.map((r) => r.index)).toEqual([2]);
    expect(batch.rejected[0]?.reason).toContain('histogram with count 3');
  });

  it('keeps the request indexes of the items', () => {
    const items: IndexedPoint[] = [
      { index: 4, point: gauge(1, {}) },
      { index: 9, point: gauge(2, {}) },
    ];

    const batch = resolveBatchConflicts(items);

    expect(batch.rejected[0]?.index).toBe(9);
    expect(batch.rejected[0]?.reason).toContain('point 4');
  });
});
