import { describe, expect, it } from 'vitest';
import type { MetricPoint } from '#shared/model/metric.js';
import { screenBatch } from '#shared/store/duckdb/metric-batch.js';
import { counter, gauge, T0 } from '#test/contract/metric-store.contract.js';

describe('screenBatch', () => {
  it('keeps the first point of each measurement in batch order', () => {
    const batch = screenBatch([
      gauge(1, { host: 'b' }),
      gauge(2, { host: 'a' }),
      gauge(1, { host: 'b' }),
      gauge(3, { host: 'c' }),
    ]);

    expect(batch.firsts.map((s) => s.index)).toEqual([0, 1, 3]);
    expect(batch.firsts.map((s) => s.point.value)).toEqual([1, 2, 3]);
  });

  it('derives the label and value keys of each first point', () => {
    const batch = screenBatch([gauge(0.5, { zone: 'z1', host: 'a' })]);

    expect(batch.firsts[0]?.labelsKey).toBe('[["host","a"],["zone","z1"]]');
    expect(batch.firsts[0]?.valueKey).toBe('["gauge",0.5,null,null,null]');
  });

  it('matches labels regardless of key order', () => {
    const batch = screenBatch([
      gauge(0.5, { host: 'a', zone: 'z1' }),
      gauge(0.5, { zone: 'z1', host: 'a' }),
    ]);

    expect(batch.firsts).toHaveLength(1);
    expect(batch.duplicates).toBe(1);
  });

  const host = (overrides: Partial<MetricPoint>) =>
    gauge(2, { host: 'a' }, overrides);

  it.each<[string, MetricPoint]>([
    ['a start time', host({ start_timestamp_ms: T0 - 60_000 })],
    ['the timestamp', host({ timestamp_ms: T0 + 1 })],
    ['the service', host({ service: 'web' })],
    ['the name', host({ name: 'mem.util' })],
    ['a label value', host({ labels: { host: 'b' } })],
  ])('separates points that differ in %s', (_, second) => {
    const batch = screenBatch([gauge(1, { host: 'a' }), second]);

    expect(batch.firsts.map((s) => s.index)).toEqual([0, 1]);
    expect(batch.rejected).toEqual([]);
  });

  it('separates two start times of one series', () => {
    const batch = screenBatch([
      counter(1, T0, T0 + 60_000),
      counter(2, T0 + 1, T0 + 60_000),
    ]);

    expect(batch.firsts.map((s) => s.index)).toEqual([0, 1]);
  });

  it('counts an equal later point as a duplicate', () => {
    const batch = screenBatch([
      gauge(0.5, { host: 'a' }),
      gauge(0.5, { host: 'a' }),
    ]);

    expect(batch.duplicates).toBe(1);
    expect(batch.rejected).toEqual([]);
  });

  it('rejects a differing later point naming the first', () => {
    const batch = screenBatch([
      gauge(0.3, { host: 'b' }),
      gauge(0.5, { host: 'a' }),
      gauge(0.7, { host: 'a' }),
    ]);

    expect(batch.duplicates).toBe(0);
    expect(batch.rejected.map((r) => r.index)).toEqual([2]);
    expect(batch.rejected[0]?.reason).toMatch(/^timestamp: /);
    expect(batch.rejected[0]?.reason).toContain('with point 1 of this batch');
  });

  it('compares a later point with the first, not the one before', () => {
    const batch = screenBatch([
      gauge(0.5, { host: 'a' }),
      gauge(0.7, { host: 'a' }),
      gauge(0.7, { host: 'a' }),
    ]);

    expect(batch.duplicates).toBe(0);
    expect(batch.rejected.map((r) => r.index)).toEqual([1, 2]);
  });
});
