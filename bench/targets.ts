import type { Signal } from './data/samples.js';

/**
 * Throughput that products of this kind advertise for one node, in
 * items per second.
 */
export const TARGETS: Record<Signal, { perSecond: number; noun: string }> = {
  metrics: { perSecond: 100_000, noun: 'metric points' },
  logs: { perSecond: 50_000, noun: 'log lines' },
  traces: { perSecond: 10_000, noun: 'spans' },
};

/** Query latency that such products advertise: p95 under 100 ms. */
export const QUERY_P95_TARGET_MS = 100;
